/**
 * The middle value (the upper one of an even count), or 0 for none. Layout works in whole
 * measured positions, so it takes a value that was seen rather than averaging two.
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
