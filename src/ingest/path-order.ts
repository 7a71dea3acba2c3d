/**
 * Stable, locale-free ordering of paths: NFC-normalised, compared by Unicode code point
 * (not UTF-16 code unit, which misorders characters outside the BMP). Same on every machine.
 */
export function comparePaths(a: string, b: string): number {
  const left = a.normalize("NFC");
  const right = b.normalize("NFC");
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const x = left.codePointAt(i) ?? 0;
    const y = right.codePointAt(j) ?? 0;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return left.length - i - (right.length - j);
}
