import type { BinaryImage } from "../image/gray-image.js";

/** A printed rule found on a levelled page. */
export interface Rule {
  /** y for a horizontal rule, x for a vertical one (centre of its thickness). */
  readonly position: number;
  /** Extent along the rule. */
  readonly start: number;
  readonly end: number;
  /** Share of inked pixels along the extent: near 1 for a printed rule, about half for a dotted line. */
  readonly fill: number;
}

/**
 * The longest run of ink along one line of pixels, `first`..`last` (inclusive) apart by `stride`,
 * allowing gaps up to `maxGap`. A pixel counts as ink when it or a neighbour at ±`across` or
 * ±2·`across` (the adjacent lines) is inked, which absorbs slight curvature of the page.
 */
function longestInkRun(data: Uint8Array, origin: number, stride: number, count: number, across: number, maxGap: number) {
  let runStart = -1;
  let lastInk = -1000;
  let bestStart = 0;
  let bestEnd = -1;
  let runInk = 0;
  let bestInk = 0;
  for (let k = 0; k < count; k++) {
    const i = origin + k * stride;
    const ink = data[i] || data[i - across] || data[i + across] || data[i - 2 * across] || data[i + 2 * across];
    if (!ink) continue;
    if (k - lastInk > maxGap + 1) {
      runStart = k;
      runInk = 0;
    }
    lastInk = k;
    runInk++;
    if (k - runStart > bestEnd - bestStart) {
      bestStart = runStart;
      bestEnd = k;
      bestInk = runInk;
    }
  }
  return { start: bestStart, end: bestEnd, length: bestEnd - bestStart + 1, ink: bestInk };
}

/**
 * Finds horizontal rules: rows whose longest ink run (gaps up to `maxGap`, the rows just
 * above and below merged to absorb slight curvature) is at least `minLength` long.
 */
export function findHorizontalRules(image: BinaryImage, minLength: number, maxGap = 4): Rule[] {
  const { width, height, data } = image;
  const hits: Hit[] = [];
  for (let y = 2; y < height - 2; y++) {
    const run = longestInkRun(data, y * width, 1, width, width, maxGap);
    if (run.length >= minLength) hits.push({ y, start: run.start, end: run.end, fill: run.ink / run.length });
  }
  return groupHits(hits);
}

/** Finds vertical rules between rows `y0` and `y1`, the same way as horizontal ones. */
export function findVerticalRules(image: BinaryImage, y0: number, y1: number, minLength: number, maxGap = 4): Rule[] {
  const { width, data } = image;
  const hits: Hit[] = [];
  for (let x = 2; x < width - 2; x++) {
    const run = longestInkRun(data, y0 * width + x, width, y1 - y0, 1, maxGap);
    if (run.length >= minLength) hits.push({ y: x, start: y0 + run.start, end: y0 + run.end, fill: run.ink / run.length });
  }
  return groupHits(hits);
}

interface Hit {
  readonly y: number;
  readonly start: number;
  readonly end: number;
  readonly fill: number;
}

/** Adjacent hits of the same kind (solid or dotted) form one rule. */
function groupHits(hits: readonly Hit[]): Rule[] {
  const rules: Rule[] = [];
  let group: Hit[] = [];
  const flush = (): void => {
    if (group.length === 0) return;
    const first = group[0]!;
    const last = group[group.length - 1]!;
    rules.push({
      position: (first.y + last.y) / 2,
      start: Math.min(...group.map((g) => g.start)),
      end: Math.max(...group.map((g) => g.end)),
      fill: Math.max(...group.map((g) => g.fill)),
    });
    group = [];
  };
  for (const hit of hits) {
    const last = group[group.length - 1];
    if (last && (hit.y - last.y > 1 || isSolid(hit.fill) !== isSolid(last.fill))) flush();
    group.push(hit);
  }
  flush();
  return rules;
}

/** A printed rule, as opposed to a dotted baseline. */
export function isSolid(fill: number): boolean {
  return fill >= 0.8;
}
