/** Median of a non-empty list (average of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of an empty list");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median absolute deviation from the median. */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  const centre = median(values);
  return median(values.map((v) => Math.abs(v - centre)));
}

/**
 * Modified z-scores (Iglewicz and Hoaglin): 0.6745 (x − median) / MAD. When more than half the
 * values are equal the MAD is 0; the mean absolute deviation (scaled by 0.7979 to match a
 * normal's MAD/σ) is used instead, and when that is 0 too every score is 0.
 */
export function modifiedZScores(values: readonly number[]): number[] {
  if (values.length === 0) return [];
  const centre = median(values);
  const mad = medianAbsoluteDeviation(values);
  if (mad > 0) return values.map((v) => (0.6745 * (v - centre)) / mad);
  const meanAbsolute = values.reduce((sum, v) => sum + Math.abs(v - centre), 0) / values.length;
  if (meanAbsolute === 0) return values.map(() => 0);
  return values.map((v) => (v - centre) / (1.2533 * meanAbsolute));
}
