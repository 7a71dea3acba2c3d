import { findComponents } from "../image/components.js";
import type { BinaryImage } from "../image/gray-image.js";
import { cropBinary, type ColumnRow } from "./table-layout.js";

/**
 * Finds the x of the printed "(" that closes the digit part of every vote cell.
 * Each row offers its tall thin components as candidates; the printed bracket is the one
 * that lines up across rows (handwritten 1s do not). Returns the bracket's left edge.
 */
export function findParenX(image: BinaryImage, rows: readonly ColumnRow[], voteLeft: number, voteRight: number): number | null {
  const columnWidth = voteRight - voteLeft;
  // The printed bracket sits about a quarter into the column on every form seen; searching
  // only there keeps a column of narrow handwritten zeros from passing for it.
  const x0 = Math.round(voteLeft + columnWidth * 0.19);
  const x1 = Math.round(voteLeft + columnWidth * 0.31);
  const candidates = rows.flatMap((row) => parenCandidates(image, row, x0, x1));
  if (candidates.length === 0) return null;
  const bin = 4;
  const counts = new Map<number, number>();
  for (const x of candidates) {
    const key = Math.round(x / bin);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let bestKey = 0;
  let bestCount = 0;
  for (const key of counts.keys()) {
    const count = (counts.get(key - 1) ?? 0) + (counts.get(key) ?? 0) + (counts.get(key + 1) ?? 0);
    if (count > bestCount) {
      bestCount = count;
      bestKey = key;
    }
  }
  if (bestCount < Math.max(3, rows.length * 0.35)) return null;
  const cluster = candidates.filter((x) => Math.abs(x / bin - bestKey) <= 1.5).sort((a, b) => a - b);
  return cluster[Math.floor(cluster.length / 2)] ?? null;
}

/** Left edges of bracket-like components in one row between x0 and x1: tall, thin, ending low in the row (below `minBottom` of its height). */
export function parenCandidates(image: BinaryImage, row: ColumnRow, x0: number, x1: number, minBottom = 0.6): number[] {
  const pitch = row.bottom - row.top;
  const y0 = Math.round(row.top + 3);
  const y1 = Math.round(row.bottom - 2);
  const strip = cropBinary(image, Math.round(x0), y0, Math.round(x1), y1);
  const found: number[] = [];
  for (const c of findComponents(strip).components) {
    const w = c.x1 - c.x0;
    const h = c.y1 - c.y0;
    if (h < pitch * 0.25 || h > pitch * 0.8 || w > h * 0.4) continue;
    if (c.y1 < strip.height * minBottom) continue;
    found.push(Math.round(x0) + c.x0);
  }
  return found;
}

/** This row's own bracket near the page-wide bracket column (pages curve), or the column itself. */
export function rowParenX(image: BinaryImage, row: ColumnRow, parenX: number): number {
  const reach = Math.max(8, (row.bottom - row.top) * 0.3);
  // Near the known column a bracket may sit higher in its row.
  const near = parenCandidates(image, row, parenX - reach, parenX + reach, 0.45);
  if (near.length === 0) return parenX;
  return near.reduce((best, x) => (Math.abs(x - parenX) < Math.abs(best - parenX) ? x : best));
}
