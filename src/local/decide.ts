import { CONSTITUENCY_PRINTED_ROWS, type FormKind, PARTY_COUNT } from "../forms/form-kind.js";
import type { CellKey } from "./layout/page-layout.js";
import type { LocalDocumentRead } from "./local-read.js";
import type { LocalCellRead } from "./recognize/read-cell.js";

export interface LocalDecision {
  /** True only when every needed cell is read, every sum holds and no other plausible reading fits. */
  readonly verified: boolean;
  /** Cells the reader doubts (missing, unsure or below the confidence bar, and not confirmed). */
  readonly doubtedCells: readonly CellKey[];
  /** Weak cells trusted because the sums hold for their reading and for no other plausible one. */
  readonly confirmedBySums: readonly CellKey[];
  /** The cells the verdict rests on; other cells the reader saw (envelopes and the like) are extras. */
  readonly neededCells: readonly CellKey[];
  /** Extras read with confidence: the only extras worth reporting, since nothing checks the others. */
  readonly confidentExtras: readonly CellKey[];
  /** Human-readable reasons when not verified. */
  readonly reasons: readonly string[];
}

/** A cell whose weakest glyph reaches this is trusted on its own. Tuned on the development set. */
export const DEFAULT_MIN_CONFIDENCE = 0.9;

/**
 * Below this a cell is doubted outright; between it and the bar a cell is weak and needs the
 * sums to confirm it. On the development scans 94% of cells at 0.7-0.9 were right, 83% at
 * 0.5-0.7. A form written inconsistently could pass if a weak misread cancelled the officials'
 * own error exactly, so the floor stays where a misread is rare; 0.5 verified no more forms.
 */
export const SUM_CONFIRM_FLOOR = 0.7;

/** More weak cells than this and the sums are not trusted to confirm them all. */
export const MAX_SUM_CONFIRMED = 8;

export function rowKeys(kind: FormKind): CellKey[] {
  const count = kind === "constituency" ? CONSTITUENCY_PRINTED_ROWS : PARTY_COUNT;
  return Array.from({ length: count }, (_, i) => `row:${i + 1}` as const);
}

/**
 * The local verdict. The needed cells are the vote rows, good, bad, no-vote, the total line and
 * the ballots used: on 5/18 the used line (with received and remaining, which must balance it),
 * elsewhere the received count (or, left blank, the ballots found in envelopes). The form is
 * verified when every needed cell is read, rows sum to good, the total line equals that sum,
 * good + bad + no-vote equals the ballots used, and each cell is either confident on its
 * own or weak but confirmed: the sums hold for the reading as read and for no other
 * combination of the weak cells' plausible readings. A wrong reading then passes only if it
 * is outside every plausible reading and another error cancels it exactly.
 */
export function decideLocal(
  read: LocalDocumentRead,
  minConfidence = DEFAULT_MIN_CONFIDENCE,
  floor = Math.min(SUM_CONFIRM_FLOOR, minConfidence),
): LocalDecision {
  // A page without a table may be a signature page: only missing cells count against the form.
  const notes = read.pages.filter((p) => p.failure).map((p) => `page ${p.page}: no layout (${p.failure})`);
  if (!read.kind) return refuse([], [], [], ["form kind not recognised", ...notes]);
  const hasUsedLine = read.cells.has("used");
  const ballotsKey: CellKey = hasUsedLine ? "used" : read.cells.get("received")?.mark === "blank" ? "ballots_in_envelopes" : "received";
  const rowCells = rowKeys(read.kind);
  const needed: CellKey[] = [...rowCells, "good", "bad", "novote", "total_line", ballotsKey];
  if (hasUsedLine) needed.push("received", "remaining");
  const confidentExtras = [...read.cells]
    .filter(([key, cell]) => !needed.includes(key) && cell.value !== null && cell.confidence >= minConfidence)
    .map(([key]) => key);

  const unread: CellKey[] = [];
  const weak: CellKey[] = [];
  for (const key of needed) {
    const cell = read.cells.get(key);
    if (!cell || cell.value === null || cell.confidence < floor) unread.push(key);
    else if (cell.confidence < minConfidence) weak.push(key);
  }
  const doubted = needed.filter((key) => unread.includes(key) || weak.includes(key));
  const doubtReason = `${doubted.length} cell(s) not read with confidence: ${doubted.join(", ")}`;
  if (unread.length > 0) return refuse(needed, confidentExtras, doubted, [doubtReason, ...notes]);

  const value = (key: CellKey): number => read.cells.get(key)?.value ?? 0;
  const sum = rowCells.reduce((s, key) => s + value(key), 0);
  const good = value("good");
  const ballots = value(ballotsKey);
  const failures: string[] = [];
  if (read.cells.get("good")?.mark !== "digits") failures.push("good ballots not written as digits");
  if (read.cells.get(ballotsKey)?.mark !== "digits") failures.push(`${ballotsKey} not written as digits`);
  if (sum !== good) failures.push(`rows sum to ${sum}, good ballots read ${good}`);
  if (value("total_line") !== sum) failures.push(`total line read ${value("total_line")}, rows sum to ${sum}`);
  const used = good + value("bad") + value("novote");
  if (used !== ballots) failures.push(`good + bad + no-vote = ${used}, ${ballotsKey} read ${ballots}`);
  if (hasUsedLine && ballots + value("remaining") !== value("received")) {
    failures.push(`used + remaining = ${ballots + value("remaining")}, received read ${value("received")}`);
  }
  if (failures.length > 0) return refuse(needed, confidentExtras, doubted, [...(doubted.length > 0 ? [doubtReason] : []), ...failures, ...notes]);

  if (weak.length === 0) return { verified: true, doubtedCells: [], confirmedBySums: [], neededCells: needed, confidentExtras, reasons: [] };
  if (weak.length > MAX_SUM_CONFIRMED) {
    return refuse(needed, confidentExtras, doubted, [doubtReason, `the sums hold, but ${weak.length} weak cells are more than they can confirm`, ...notes]);
  }
  // Every needed cell is read here; a weak one may also be any of its plausible other values.
  const options = new Map(
    needed.map((key) => {
      const cell = read.cells.get(key) as LocalCellRead;
      return [key, new Set([cell.value as number, ...(weak.includes(key) ? cell.otherValues : [])])] as const;
    }),
  );
  const candidates = (key: CellKey): ReadonlySet<number> => options.get(key) ?? new Set();
  if (countSolutions(rowCells, ballotsKey, hasUsedLine, candidates) > 1) {
    return refuse(needed, confidentExtras, doubted, [doubtReason, "the sums hold, but also for another plausible reading of these cells", ...notes]);
  }
  return { verified: true, doubtedCells: [], confirmedBySums: weak, neededCells: needed, confidentExtras, reasons: [] };
}

function refuse(
  neededCells: readonly CellKey[],
  confidentExtras: readonly CellKey[],
  doubtedCells: readonly CellKey[],
  reasons: readonly string[],
): LocalDecision {
  return { verified: false, doubtedCells, confirmedBySums: [], neededCells, confidentExtras, reasons };
}

/** Enough to tell one solution from several. */
const MANY = 2;

/**
 * How many assignments of the cells' candidate values satisfy every sum (capped at MANY): for
 * each good value the total line agrees with, the ways the rows reach it times the ways
 * bad + no-vote + ballots used balance it (and, on 5/18, used + remaining = received).
 */
function countSolutions(
  rows: readonly CellKey[],
  ballotsKey: CellKey,
  hasUsedLine: boolean,
  candidates: (key: CellKey) => ReadonlySet<number>,
): number {
  const totalLine = candidates("total_line");
  const ballots = candidates(ballotsKey);
  const receivedWays = (used: number): number => {
    if (!hasUsedLine) return 1;
    const received = candidates("received");
    return [...candidates("remaining")].filter((remaining) => received.has(used + remaining)).length;
  };
  const rowSums = waysToSum(rows.map(candidates));
  let count = 0;
  for (const good of candidates("good")) {
    const rowWays = totalLine.has(good) ? (rowSums.get(good) ?? 0) : 0;
    if (rowWays === 0) continue;
    let balanceWays = 0;
    for (const bad of candidates("bad")) {
      for (const novote of candidates("novote")) {
        const used = good + bad + novote;
        if (ballots.has(used)) balanceWays += receivedWays(used);
      }
    }
    count = Math.min(MANY, count + rowWays * balanceWays);
    if (count >= MANY) break;
  }
  return count;
}

/** Reachable sums of one value per cell, with the number of ways (capped at MANY). */
function waysToSum(cells: readonly ReadonlySet<number>[]): Map<number, number> {
  let ways = new Map<number, number>([[0, 1]]);
  for (const values of cells) {
    const next = new Map<number, number>();
    for (const [sum, n] of ways) {
      for (const v of values) next.set(sum + v, Math.min(MANY, (next.get(sum + v) ?? 0) + n));
    }
    ways = next;
  }
  return ways;
}
