import { type BinaryImage, cropGray } from "../image/gray-image.js";
import { median } from "../median.js";
import { findHorizontalRules, findVerticalRules, isSolid, type Rule } from "./rules.js";
import { err, ok } from "../../basics/result.js";

/** One ruled row of the table's vote column, top and bottom being its printed rules. */
export interface ColumnRow {
  readonly top: number;
  readonly bottom: number;
}

export interface TableLayout {
  /** y of the table's top and bottom rules. */
  readonly top: number;
  readonly bottom: number;
  /** x of the vertical rules, left to right. */
  readonly columns: readonly number[];
  /** The vote column (the rightmost), between these x. */
  readonly voteLeft: number;
  readonly voteRight: number;
  /** Rows of the vote column, top to bottom, the table header row included. */
  readonly rows: readonly ColumnRow[];
}

export type TableLayoutFailure = "no_table" | "no_columns" | "no_rows";

/** Rules closer than this (in px) are one rule drawn over a slightly curved page. */
function mergeClose(rules: readonly Rule[], distance: number): Rule[] {
  const out: Rule[] = [];
  for (const rule of rules) {
    const last = out[out.length - 1];
    if (last && rule.position - last.position <= distance) {
      out[out.length - 1] = {
        position: (last.position + rule.position) / 2,
        start: Math.min(last.start, rule.start),
        end: Math.max(last.end, rule.end),
        fill: Math.max(last.fill, rule.fill),
      };
    } else {
      out.push(rule);
    }
  }
  return out;
}

/**
 * Finds the vote table on a levelled, binarised page: the longest ladder of full-width
 * printed rules, its vertical rules, and the ruled rows of its rightmost (vote) column. A rule
 * must span `minRuleShare` of the page width.
 */
export function findTable(
  image: BinaryImage,
  minRuleShare = 0.15,
): { ok: true; value: TableLayout } | { ok: false; error: TableLayoutFailure } {
  const { width, height } = image;
  const mergeDistance = Math.max(4, Math.round(width * 0.008));
  const solid = findHorizontalRules(image, width * minRuleShare).filter((r) => isSolid(r.fill));
  // Table rules start at the table's left border; a line reaching further left is a page edge or a scan artefact.
  const leftBorder = median(solid.map((r) => r.start));
  const horizontal = mergeClose(
    solid.filter((r) => r.start >= leftBorder - width * 0.03),
    mergeDistance,
  );
  // The table is the longest run of rules whose spacing stays below a tall header row.
  const maxGap = height * 0.06;
  let best: Rule[] = [];
  let current: Rule[] = [];
  for (const rule of horizontal) {
    const last = current[current.length - 1];
    if (last && rule.position - last.position > maxGap) current = [];
    current.push(rule);
    if (current.length > best.length) best = [...current];
  }
  if (best.length < 3) return err("no_table");
  const top = Math.round(best[0]!.position);
  const bottom = Math.round(best[best.length - 1]!.position);
  // On a bent page one rule is found as pieces: the furthest piece marks the table's right edge.
  const tableRight = Math.max(...best.map((r) => r.end));
  const tableLeft = Math.min(...best.map((r) => r.start));
  // Vertical rules bend on curved pages: join pieces found near the same x and sum their cover.
  // Only those within the table count: a photo also shows the sheet's edges as long dark lines.
  const slack = width * 0.015;
  const pieces = findVerticalRules(image, top, bottom, (bottom - top) * 0.12).filter((r) => isSolid(r.fill));
  const columns = joinVerticalPieces(pieces, width * 0.012)
    .filter((c) => c.cover >= (bottom - top) * 0.5)
    .map((c) => c.position)
    .filter((x) => x >= tableLeft - slack && x <= tableRight + slack);
  const inner = columns.filter((x) => x < tableRight - width * 0.15);
  if (inner.length === 0) return err("no_columns");
  const voteLeft = inner[inner.length - 1]!;
  const voteRight = tableRight;
  if (voteRight - voteLeft < width * 0.2) return err("no_columns");
  const rows = columnRows(image, voteLeft, voteLeft + (voteRight - voteLeft) * 0.35, top, bottom, mergeDistance);
  if (rows.length < 2) return err("no_rows");
  return ok({ top, bottom, columns, voteLeft, voteRight, rows });
}

function joinVerticalPieces(pieces: readonly Rule[], distance: number): { position: number; cover: number }[] {
  const out: { position: number; cover: number; weight: number }[] = [];
  for (const piece of pieces) {
    const length = piece.end - piece.start;
    const last = out[out.length - 1];
    if (last && piece.position - last.position <= distance) {
      last.position = (last.position * last.weight + piece.position * length) / (last.weight + length);
      last.weight += length;
      last.cover = Math.max(last.cover, length) + Math.min(last.cover, length) * 0.5;
    } else {
      out.push({ position: piece.position, cover: length, weight: length });
    }
  }
  return out;
}

/** Rows of one column, from rules found inside the column alone (less affected by page curvature). */
function columnRows(image: BinaryImage, left: number, right: number, top: number, bottom: number, mergeDistance: number): ColumnRow[] {
  const x0 = Math.round(left) + 3;
  const x1 = Math.round(right) - 3;
  const y0 = Math.max(0, top - mergeDistance * 2);
  const y1 = Math.min(image.height, bottom + mergeDistance * 2);
  const strip = cropBinary(image, x0, y0, x1, y1);
  const found = findHorizontalRules(strip, strip.width * 0.6)
    .filter((r) => isSolid(r.fill))
    .map((r) => r.position + y0);
  // The table's outer rules, found on the whole page, bound the column even where the strip missed them.
  const positions = [top, ...found.filter((y) => y > top + mergeDistance && y < bottom - mergeDistance), bottom];
  const rows: ColumnRow[] = [];
  for (let i = 1; i < positions.length; i++) rows.push({ top: positions[i - 1]!, bottom: positions[i]! });
  // A stroke drawn across a row (a strike-through) can pass for a rule: join rows that are too short.
  // A faint rule can be missed: then split a row that is a whole multiple of the pitch.
  const pitch = median(rows.slice(1).map((r) => r.bottom - r.top));
  const joined: ColumnRow[] = [];
  for (const row of rows) {
    const last = joined[joined.length - 1];
    if (last && (row.bottom - row.top < pitch * 0.65 || last.bottom - last.top < pitch * 0.65)) {
      joined[joined.length - 1] = { top: last.top, bottom: row.bottom };
    } else {
      joined.push(row);
    }
  }
  const split: ColumnRow[] = [];
  joined.forEach((row, i) => {
    const ratio = (row.bottom - row.top) / pitch;
    const parts = Math.round(ratio);
    if (i > 0 && parts >= 2 && Math.abs(ratio - parts) < 0.2) {
      const step = (row.bottom - row.top) / parts;
      for (let k = 0; k < parts; k++) split.push({ top: row.top + k * step, bottom: row.top + (k + 1) * step });
    } else {
      split.push(row);
    }
  });
  return split;
}

export function cropBinary(image: BinaryImage, x0: number, y0: number, x1: number, y1: number): BinaryImage {
  // A binary raster has the grey one's layout (one byte per pixel), so the same crop serves.
  return cropGray(image, { x0, y0, x1, y1 });
}
