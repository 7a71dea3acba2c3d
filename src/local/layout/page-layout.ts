import { type FormKind, formLayout } from "../../forms/form-kind.js";
import type { TotalKey } from "../../forms/form-result.js";
import { binarize } from "../image/binarize.js";
import { type BinaryImage, type Box, decodeGray, type GrayImage, rotateGray } from "../image/gray-image.js";
import { median } from "../median.js";
import { estimateSkewDegrees } from "./deskew.js";
import { type DottedLine, type DottedSegment, findDottedLines } from "./dotted-lines.js";
import { findParenX, rowParenX } from "./paren-column.js";
import { type ColumnRow, findTable, type TableLayout } from "./table-layout.js";
import { err, ok } from "../../basics/result.js";

/** Where the "(" of the words sits across the vote column on the printed forms (0.23-0.25 measured). */
const BRACKET_SHARE = 0.245;

/** Pages are analysed at this width: handwriting stays legible, analysis stays fast. */
export const WORK_WIDTH = 1200;

/** Which printed page of which form this is, recognised from its table. */
export type PageRole = "constituency_1" | "party_list_1" | "party_list_2" | "party_list_3";

/** The printed page each role is: its form kind and 1-based page, whose vote rows formLayout gives. */
const ROLE_PAGES: Readonly<Record<PageRole, { readonly kind: FormKind; readonly page: number }>> = {
  constituency_1: { kind: "constituency", page: 1 },
  party_list_1: { kind: "party_list", page: 1 },
  party_list_2: { kind: "party_list", page: 2 },
  party_list_3: { kind: "party_list", page: 3 },
};

/** The vote rows printed on a page of this role (the forms' own printed layout). */
function printedRows(role: PageRole): readonly [number, number] {
  const { kind, page } = ROLE_PAGES[role];
  return formLayout(kind)[page - 1]!.rows!;
}

/** The total lines this reader knows how to find, by the forms' own keys (voter counts are not read). */
export type LayoutTotalKey = Exclude<TotalKey, "eligibleVoters" | "votersTurnedUp">;
export const LAYOUT_TOTAL_KEYS: readonly LayoutTotalKey[] = [
  "envelopes",
  "ballotsInEnvelopes",
  "ballotsReceived",
  "ballotsUsed",
  "ballotsRemaining",
  "good",
  "bad",
  "noVote",
  "voteTotal",
];
/** The layout's key for a total line of the form, or null for a line it does not find (the voter counts). */
export function layoutTotalKey(name: string): LayoutTotalKey | null {
  return LAYOUT_TOTAL_KEYS.find((key) => key === name) ?? null;
}
/** Number cells this reader knows how to find, keyed as the forms key them. Vote rows are "row:N". */
export type CellKey = `row:${number}` | LayoutTotalKey;

export interface CellBox {
  readonly key: CellKey;
  readonly box: Box;
  /** Where the same count is written in Thai words (right of the bracket, or the longer dotted line), when found. */
  readonly words?: Box;
  /** Height of a writing line here, in px: the scale for glyph filters. */
  readonly pitch: number;
}

export interface PageLayout {
  readonly role: PageRole;
  readonly gray: GrayImage;
  readonly binary: BinaryImage;
  readonly skewDegrees: number;
  readonly cells: readonly CellBox[];
  /** Cells the layout expected but could not place. */
  readonly missing: readonly CellKey[];
}

export type PageLayoutFailure =
  | { readonly reason: "no_table" | "no_columns" | "no_rows" }
  | { readonly reason: "unexpected_rows"; readonly rows: number };

export type PageLayoutResult = { ok: true; value: PageLayout } | { ok: false; error: PageLayoutFailure };

/** Decodes, levels and binarises a page, then finds its table, rows and number cells. */
export async function analyzePage(bytes: Buffer, pageNumber: number | null): Promise<PageLayoutResult> {
  let gray = await decodeGray(bytes, WORK_WIDTH);
  let binary = binarize(gray);
  // Phone photos tilt up to about 6 degrees; scans less.
  const skewDegrees = estimateSkewDegrees(binary, 6);
  if (Math.abs(skewDegrees) >= 0.05) {
    gray = await rotateGray(gray, -skewDegrees);
    binary = binarize(gray);
  }
  const layout = layoutLevelledPage(gray, binary, skewDegrees, pageNumber);
  if (layout.ok) return layout;
  // Photos and light printings leave thin rules paler than the ink threshold: look again with a
  // threshold for faint lines. Only the structure comes from it; ink is still judged on `binary`.
  // Blurred dotted lines join into solid ones there, so a table rule must also span most of the page.
  const faint = layoutLevelledPage(gray, binarize(gray, FAINT_RULES), skewDegrees, pageNumber, FAINT_RULE_SHARE);
  if (!faint.ok || !fitsPageNumber(faint.value.role, pageNumber)) return layout;
  return { ok: true, value: { ...faint.value, binary } };
}

/** A layout found only on the second look must also be the page the document's order says it is. */
function fitsPageNumber(role: PageRole, pageNumber: number | null): boolean {
  return ROLE_PAGES[role].page === pageNumber;
}

/** Binarisation for pale, blurred rule lines: anything clearly darker than its surroundings. */
const FAINT_RULES = { window: 31, ratio: 0.9, maxLevel: 235 } as const;
const FAINT_RULE_SHARE = 0.45;

export function layoutLevelledPage(
  gray: GrayImage,
  binary: BinaryImage,
  skewDegrees: number,
  pageNumber: number | null,
  minRuleShare?: number,
): PageLayoutResult {
  const table = findTable(binary, minRuleShare);
  if (!table.ok) return err({ reason: table.error });
  const t = table.value;
  const header = t.rows[0]!;
  const data = t.rows.slice(1);
  const pitch = median(data.map((r) => r.bottom - r.top));
  // The header row holds two printed lines: it must be clearly taller than a vote row.
  if (header.bottom - header.top < pitch * 1.1) {
    return err({ reason: "unexpected_rows", rows: data.length });
  }
  const role = pageRole(binary, t, data, pageNumber);
  if (!role) return err({ reason: "unexpected_rows", rows: data.length });
  // Where the brackets do not line up well enough to be found (handwriting over them), fall
  // back to where they are printed on every form seen; each row then looks for its own bracket,
  // and an empty cell still needs its dotted line to count as zero.
  const parenX = findParenX(binary, data, t.voteLeft, t.voteRight) ?? t.voteLeft + (t.voteRight - t.voteLeft) * BRACKET_SHARE;
  const cells: CellBox[] = [];
  const [firstRow, lastRow] = printedRows(role);
  const voteRows = lastRow - firstRow + 1;
  data.forEach((row, i) => {
    const key: CellKey = i < voteRows ? `row:${firstRow + i}` : "voteTotal";
    const left = localRuleX(binary, t.voteLeft, row);
    const paren = rowParenX(binary, row, parenX);
    cells.push({
      key,
      box: {
        x0: Math.round(left + 4),
        y0: Math.round(row.top + 3),
        x1: Math.round(paren - 1),
        y1: Math.round(row.bottom - 2),
      },
      words: { x0: Math.round(paren), y0: Math.round(row.top + 3), x1: Math.round(t.voteRight - 3), y1: Math.round(row.bottom - 2) },
      pitch,
    });
  });
  const missing: CellKey[] = [];
  if (role === "constituency_1" || role === "party_list_1") {
    const totals = totalsCells(binary, t);
    cells.push(...totals.cells);
    missing.push(...totals.missing);
  }
  return ok({ role, gray, binary, skewDegrees, cells, missing });
}

function pageRole(binary: BinaryImage, table: TableLayout, data: readonly ColumnRow[], pageNumber: number | null): PageRole | null {
  const last = data[data.length - 1]!;
  // The total line's row is one merged cell left of the votes: no rule at the first inner column.
  const firstInner = table.columns.find((x) => x > table.columns[0]! + 20 && x < table.voteLeft - 20);
  const lastRowMerged = firstInner !== undefined && !hasVerticalRule(binary, firstInner, last);
  // A first page's table seen on a later page is rows lost to a faint or broken rule, not page 1.
  const later = pageNumber !== null && pageNumber > 1;
  if (data.length === 11 && lastRowMerged && !later) return "constituency_1";
  if (data.length === 10 && !later) return "party_list_1";
  if (data.length === 24) {
    // Pages 2 and 3 differ only in the total line; the document's page order is the stronger cue.
    if (pageNumber === 2) return "party_list_2";
    if (pageNumber === 3) return "party_list_3";
    if (firstInner === undefined) return null;
    return lastRowMerged ? "party_list_3" : "party_list_2";
  }
  return null;
}

function hasVerticalRule(binary: BinaryImage, x: number, row: ColumnRow): boolean {
  const y0 = Math.round(row.top + (row.bottom - row.top) * 0.2);
  const y1 = Math.round(row.bottom - (row.bottom - row.top) * 0.2);
  let best = 0;
  for (let cx = Math.round(x) - 12; cx <= Math.round(x) + 12; cx++) {
    let count = 0;
    for (let y = y0; y < y1; y++) {
      const i = y * binary.width + cx;
      if (binary.data[i] || binary.data[i + 1]) count++;
    }
    best = Math.max(best, count);
  }
  return best >= (y1 - y0) * 0.7;
}

/** The column rule's x within one row (pages curve, so it drifts a few px down the table). */
function localRuleX(binary: BinaryImage, x: number, row: ColumnRow): number {
  const y0 = Math.round(row.top + (row.bottom - row.top) * 0.2);
  const y1 = Math.round(row.bottom - (row.bottom - row.top) * 0.2);
  let bestX = x;
  let best = -1;
  for (let cx = Math.round(x) - 12; cx <= Math.round(x) + 12; cx++) {
    let count = 0;
    for (let y = y0; y < y1; y++) count += binary.data[y * binary.width + cx] ?? 0;
    if (count > best) {
      best = count;
      bestX = cx;
    }
  }
  return best >= (y1 - y0) * 0.6 ? bestX : x;
}

/**
 * The ballot totals above the table, found from their dotted lines (a number segment, then a
 * longer words segment). Two printings exist:
 * - 5/16 and 5/17: good, bad and no-vote are the last three such lines; the dotted lines above
 *   them are, upwards, received, ballots in envelopes and envelopes (the last two on 5/17 only);
 * - 5/18: one unbroken run of six, received, used, good, bad, no-vote and remaining, under the
 *   voter counts.
 */
function totalsCells(binary: BinaryImage, table: TableLayout): { cells: CellBox[]; missing: CellKey[] } {
  const width = binary.width;
  // Stop short of the table's top rule, which binarisation can break into dots.
  const region = { x0: 0, y0: Math.round(table.top * 0.3), x1: width, y1: Math.round(table.top - width * 0.008) };
  const lines = findDottedLines(binary, region, Math.max(3, Math.round(width * 0.0045)), width * 0.02);
  const printedNumber = new Map(lines.map((line) => [line, numberSegmentOf(line, width)]));
  const splits = lines.flatMap((line) => printedNumber.get(line) ?? []).slice(-6);
  const numberColumn = median(splits.map((s) => s.x0));
  const numberWidth = median(splits.map((s) => s.x1 - s.x0));
  const numberSegment = (line: DottedLine): { x0: number; x1: number } => {
    const split = printedNumber.get(line);
    if (split) return split;
    // Handwriting hid the dots or joined the segments: the number sits in the column the other lines share.
    const near = line.segments.find((s) => Math.abs(s.x0 - numberColumn) < width * 0.03);
    return near ?? { x0: numberColumn, x1: numberColumn + numberWidth };
  };
  // Every dotted line counts for the structure, even one whose number segment is hidden.
  const linePitch = typicalGap(lines.slice(-8).map((l) => l.y));
  const run = unbrokenRunAtEnd(lines, linePitch);
  const family = run.length >= FORM_5_18_RUN ? "5/18" : run.length === 3 ? "5/16-5/17" : null;
  if (splits.length < 2 || linePitch === 0 || !family) return { cells: [], missing: ["good", "bad", "noVote", "ballotsReceived"] };
  const boxFor = (y: number, segment: { x0: number; x1: number }): Box => ({
    x0: Math.round(segment.x0 - 3),
    y0: Math.round(y - linePitch * 0.95),
    x1: Math.round(segment.x1 + 6),
    y1: Math.round(y + linePitch * 0.2),
  });
  const numberCell = (key: CellKey, line: DottedLine): CellBox => {
    const number = numberSegment(line);
    const words = wordsSegmentOf(line, number);
    return { key, box: boxFor(line.y, number), ...(words ? { words: boxFor(line.y, words) } : {}), pitch: linePitch };
  };
  const cells: CellBox[] = [];
  const missing: CellKey[] = [];
  if (family === "5/18") {
    const keys: LayoutTotalKey[] = ["ballotsReceived", "ballotsUsed", "good", "bad", "noVote", "ballotsRemaining"];
    run.slice(-FORM_5_18_RUN).forEach((line, i) => {
      cells.push(numberCell(keys[i]!, line));
    });
    return { cells, missing };
  }
  (["good", "bad", "noVote"] as const).forEach((key, i) => {
    cells.push(numberCell(key, run[i]!));
  });
  const above = lines.filter((l) => l.y < run[0]!.y - linePitch * 0.5).reverse();
  const upper: LayoutTotalKey[] = ["ballotsReceived", "ballotsInEnvelopes", "envelopes"];
  let previousY = run[0]!.y;
  for (const key of upper) {
    const line = above.shift();
    if (!line || previousY - line.y > linePitch * 4.5) {
      missing.push(key);
      break;
    }
    // The number segment is the widest one left of any words.
    const segment = [...line.segments].sort((a, b) => b.x1 - b.x0 - (a.x1 - a.x0))[0]!;
    const words = wordsSegmentOf(line, segment);
    cells.push({ key, box: boxFor(line.y, segment), ...(words ? { words: boxFor(line.y, words) } : {}), pitch: linePitch });
    previousY = line.y;
  }
  return { cells, missing };
}

/** The dotted segments right of a totals line's number, as one span: where the words are written. */
function wordsSegmentOf(line: DottedLine, number: { x0: number; x1: number }): { x0: number; x1: number } | null {
  const after = line.segments.filter((s) => s.x0 >= number.x1 - 2);
  if (after.length === 0) return null;
  return { x0: Math.min(...after.map((s) => s.x0)), x1: Math.max(...after.map((s) => s.x1)) };
}

/**
 * The 5/18 totals block: six number lines one under the other. 5/16 and 5/17 have exactly three
 * (good, bad, no-vote); any other count is a layout this reader does not know, so it guesses nothing.
 */
const FORM_5_18_RUN = 6;

/** The writing-line pitch: the median of the smaller half of the gaps between lines. */
function typicalGap(ys: readonly number[]): number {
  const gaps = ys
    .slice(1)
    .map((y, i) => y - ys[i]!)
    .sort((a, b) => a - b);
  return median(gaps.slice(0, Math.ceil(gaps.length / 2)));
}

/** The lines at the end of `lines` that follow each other one writing line apart. */
function unbrokenRunAtEnd(lines: readonly DottedLine[], linePitch: number): DottedLine[] {
  const run = lines.slice(-1);
  for (let i = lines.length - 2; i >= 0; i--) {
    if (run[0]!.y - lines[i]!.y > linePitch * 1.4) break;
    run.unshift(lines[i]!);
  }
  return run;
}

/** Handwriting over a words line hides dots; a gap narrower than this (share of page width) is one line. */
const WORDS_GAP_SHARE = 0.035;

/**
 * The number segment of a totals line, the one before its words segment (trailing segments that
 * handwriting split count as one), or null when the line is not one: the words line must be
 * longer. Real forms print it four to five times longer; 1.1 also admits other printings.
 */
function numberSegmentOf(line: DottedLine, width: number): DottedSegment | null {
  const segments = line.segments;
  let first = segments.length - 1;
  while (first > 0 && segments[first]!.x0 - segments[first - 1]!.x1 < width * WORDS_GAP_SHARE) first--;
  const number = segments[first - 1];
  if (!number) return null;
  const wordsWidth = segments[segments.length - 1]!.x1 - segments[first]!.x0;
  return wordsWidth > (number.x1 - number.x0) * 1.1 ? number : null;
}
