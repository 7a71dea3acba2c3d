/** Median of a non-empty list (average of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of an empty list");
  // A typed array sorts numbers natively, several times faster than a comparator (same order).
  return middleOf(new Float64Array(values).sort());
}

function middleOf(sorted: Float64Array): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median absolute deviation from the median. */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  return deviationFrom(values, median(values));
}

function deviationFrom(values: readonly number[], centre: number): number {
  const deviations = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) deviations[i] = Math.abs(values[i]! - centre);
  return middleOf(deviations.sort());
}

/**
 * Modified z-scores (Iglewicz and Hoaglin): 0.6745 (x − median) / MAD. When more than half the
 * values are equal the MAD is 0; the mean absolute deviation (scaled by 0.7979 to match a
 * normal's MAD/σ) is used instead, and when that is 0 too every score is 0.
 */
export function modifiedZScores(values: readonly number[]): number[] {
  return robustScores(values).scores;
}

/** The modified z-scores with the median they are taken from (one sort for each of median and MAD). */
export function robustScores(values: readonly number[]): { centre: number; scores: number[] } {
  if (values.length === 0) return { centre: Number.NaN, scores: [] };
  const centre = median(values);
  const mad = deviationFrom(values, centre);
  if (mad > 0) return { centre, scores: values.map((v) => (0.6745 * (v - centre)) / mad) };
  const meanAbsolute = values.reduce((sum, v) => sum + Math.abs(v - centre), 0) / values.length;
  if (meanAbsolute === 0) return { centre, scores: values.map(() => 0) };
  return { centre, scores: values.map((v) => (v - centre) / (1.2533 * meanAbsolute)) };
}
