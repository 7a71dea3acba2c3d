import type { CellId } from "../forms/evidence.js";
import { countedValue, type FormResult, type NumberCell, TOTAL_KEYS, type TotalKey } from "../forms/form-result.js";

/** Where a number sits on the form: a vote row by its printed number, or a total line. */
export type CellRef = { readonly kind: "row"; readonly number: number } | { readonly kind: "total"; readonly key: TotalKey };

export interface LocatedCell {
  readonly ref: CellRef;
  readonly cell: NumberCell;
}

/** Names of the total lines as reviewers read them in check details. */
export const TOTAL_LABELS: Readonly<Record<TotalKey, string>> = {
  eligibleVoters: "eligible voters",
  votersTurnedUp: "voters who came",
  envelopes: "envelopes",
  ballotsInEnvelopes: "ballots in envelopes",
  ballotsReceived: "ballots received",
  ballotsUsed: "ballots used",
  ballotsRemaining: "ballots remaining",
  good: "good ballots",
  bad: "bad ballots",
  noVote: "no-vote ballots",
  voteTotal: "vote total line",
};

export function rowRef(number: number): CellRef {
  return { kind: "row", number };
}

export function totalRef(key: TotalKey): CellRef {
  return { kind: "total", key };
}

/** The cell's id in witnesses and verdicts: `row:N` for a vote row, the total's key for a total line. */
export function cellIdOf(ref: CellRef): CellId {
  return ref.kind === "row" ? `row:${ref.number}` : ref.key;
}

export function describeRef(ref: CellRef): string {
  return ref.kind === "row" ? `row ${ref.number}` : TOTAL_LABELS[ref.key];
}

export function sameRef(a: CellRef, b: CellRef): boolean {
  if (a.kind === "row") return b.kind === "row" && a.number === b.number;
  return b.kind === "total" && a.key === b.key;
}

/** Every number cell the form holds: vote rows first, then the totals that are present. */
export function allCells(result: FormResult): LocatedCell[] {
  const rows = result.votes.map((row) => ({ ref: rowRef(row.number), cell: row }));
  const totals: LocatedCell[] = [];
  for (const key of TOTAL_KEYS) {
    const cell = result.totals[key];
    if (cell) totals.push({ ref: totalRef(key), cell });
  }
  return [...rows, ...totals];
}

/** The result with every number cell it holds (vote rows, the totals present) passed through `update`. */
export function mapCells(result: FormResult, update: <C extends NumberCell>(cell: C, ref: CellRef) => C): FormResult {
  const totals = { ...result.totals };
  for (const key of TOTAL_KEYS) {
    const cell = totals[key];
    if (cell) totals[key] = update(cell, totalRef(key));
  }
  return { ...result, totals, votes: result.votes.map((row) => update(row, rowRef(row.number))) };
}

/** Splits refs into the `rows` and `totals` lists a Check carries, keeping their order. */
export function refsForCheck(refs: readonly CellRef[]): { rows?: number[]; totals?: string[] } {
  const rows = refs.flatMap((ref) => (ref.kind === "row" ? [ref.number] : []));
  const totals = refs.flatMap((ref) => (ref.kind === "total" ? [ref.key] : []));
  return { ...(rows.length > 0 ? { rows } : {}), ...(totals.length > 0 ? { totals } : {}) };
}

/** Total lines where an empty cell means none (like a dash); on the others it means not filled in. */
const BLANK_MEANS_ZERO: ReadonlySet<TotalKey> = new Set(["bad", "noVote", "ballotsRemaining"]);

/**
 * The value a cell contributes to sums, or null when unknown. A blank or dash vote row is 0 votes;
 * a blank ballot-count line (item 1 left empty) is unknown, never 0.
 */
export function sumValue(ref: CellRef, cell: NumberCell): number | null {
  if (ref.kind === "total" && cell.mark === "blank" && !BLANK_MEANS_ZERO.has(ref.key)) return null;
  return countedValue(cell);
}

/** A total line that is there and not left blank (a blank "bad" line still counts as 0). */
export function totalFilled(result: FormResult, key: TotalKey): boolean {
  const cell = result.totals[key];
  return cell !== null && sumValue(totalRef(key), cell) !== null;
}
