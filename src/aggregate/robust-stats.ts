/** Median of a non-empty list (average of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of an empty list");
  return middleOf(new Float64Array(values));
}

/**
 * The middle of `values` (reordered in place): the same numbers a full sort would put there, found
 * by selection in linear time (the overview takes some 15 medians per constituency, over every
 * station, when it recomputes them all).
 */
function middleOf(values: Float64Array): number {
  const middle = values.length >> 1;
  const upper = select(values, middle);
  if (values.length % 2 === 1) return upper;
  // The lower middle is the largest of what selection left before the middle.
  let lower = values[0]!;
  for (let i = 1; i < middle; i++) if (values[i]! > lower) lower = values[i]!;
  return (lower + upper) / 2;
}

/** Hoare's selection: reorders `a` so that a[k] is what a sort would put there, a[0..k) ≤ a[k] ≤ a(k..]; returns a[k]. */
function select(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    // Median of three as the pivot: sorted or constant runs (common in counts) stay linear.
    const mid = (left + right) >> 1;
    const pivot = medianOfThree(a[left]!, a[mid]!, a[right]!);
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return a[k]!;
  }
  return a[k]!;
}

function medianOfThree(x: number, y: number, z: number): number {
  return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
}

/** Median absolute deviation from the median. */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  return deviationFrom(values, median(values));
}

function deviationFrom(values: readonly number[], centre: number): number {
  const deviations = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) deviations[i] = Math.abs(values[i]! - centre);
  return middleOf(deviations);
}

/**
 * Modified z-scores (Iglewicz and Hoaglin): 0.6745 (x − median) / MAD. When more than half the
 * values are equal the MAD is 0; the mean absolute deviation (scaled by 0.7979 to match a
 * normal's MAD/σ) is used instead, and when that is 0 too every score is 0.
 */
export function modifiedZScores(values: readonly number[]): number[] {
  return robustScores(values).scores;
}

/** The modified z-scores with the median they are taken from (one selection for each of median and MAD). */
export function robustScores(values: readonly number[]): { centre: number; scores: number[] } {
  if (values.length === 0) return { centre: Number.NaN, scores: [] };
  const centre = median(values);
  const mad = deviationFrom(values, centre);
  if (mad > 0) return { centre, scores: values.map((v) => (0.6745 * (v - centre)) / mad) };
  const meanAbsolute = values.reduce((sum, v) => sum + Math.abs(v - centre), 0) / values.length;
  if (meanAbsolute === 0) return { centre, scores: values.map(() => 0) };
  return { centre, scores: values.map((v) => (v - centre) / (1.2533 * meanAbsolute)) };
}
