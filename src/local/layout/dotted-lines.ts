import { findComponents } from "../image/components.js";
import type { BinaryImage } from "../image/gray-image.js";

/** A run of printed dots on one baseline (a place to write), in page coordinates. */
export interface DottedSegment {
  readonly y: number;
  readonly x0: number;
  readonly x1: number;
  readonly dots: number;
}

/** Dotted baselines of one text line, left to right. */
export interface DottedLine {
  readonly y: number;
  readonly segments: readonly DottedSegment[];
}

/**
 * Finds dotted baselines inside a region: small square ink dots, grouped by baseline,
 * chained into segments where the spacing stays below `maxGap` (handwriting that hides a
 * few dots does not split a segment; printed words between two segments do).
 */
export function findDottedLines(
  image: BinaryImage,
  region: { x0: number; y0: number; x1: number; y1: number },
  maxDot: number,
  maxGap: number,
): DottedLine[] {
  const { x0, y0 } = region;
  const width = region.x1 - region.x0;
  const height = region.y1 - region.y0;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const from = (y0 + y) * image.width + x0;
    data.set(image.data.subarray(from, from + width), y * width);
  }
  const dots = findComponents({ width, height, data })
    .components.filter((c) => c.x1 - c.x0 <= maxDot && c.y1 - c.y0 <= maxDot && c.area >= 2)
    .map((c) => ({ x: x0 + (c.x0 + c.x1) / 2, y: y0 + (c.y0 + c.y1) / 2 }))
    .sort((a, b) => a.y - b.y);
  // Group dots into baselines by y.
  const lines: { x: number; y: number }[][] = [];
  for (const dot of dots) {
    const last = lines[lines.length - 1];
    const lastY = last ? last.reduce((s, d) => s + d.y, 0) / last.length : Number.NaN;
    if (last && Math.abs(dot.y - lastY) <= 3) last.push(dot);
    else lines.push([dot]);
  }
  const out: DottedLine[] = [];
  for (const line of lines) {
    if (line.length < 6) continue;
    line.sort((a, b) => a.x - b.x);
    const segments: DottedSegment[] = [];
    let start = 0;
    for (let i = 1; i <= line.length; i++) {
      if (i === line.length || line[i]!.x - line[i - 1]!.x > maxGap) {
        const run = line.slice(start, i);
        if (run.length >= 5) {
          segments.push({
            y: run.reduce((s, d) => s + d.y, 0) / run.length,
            x0: run[0]!.x,
            x1: run[run.length - 1]!.x,
            dots: run.length,
          });
        }
        start = i;
      }
    }
    if (segments.length > 0) out.push({ y: line.reduce((s, d) => s + d.y, 0) / line.length, segments });
  }
  return out;
}
