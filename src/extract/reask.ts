import { type Check, type FormResult, type NumberCell, TOTAL_KEYS, type TotalKey, type VoteRow } from "../forms/form-result.js";
import type { ReferenceLookup } from "../verify/reference-lookup.js";
import { type FormDraft, checkDraft } from "./assemble.js";
import { cellFromReply, describeCell, sameReading, wordsConfirmDigits } from "./cells.js";
import type { ReaskReply } from "./model-reply.js";

/** The cells a focused second look asks for. */
export interface SuspectCells {
  readonly rows: readonly number[];
  readonly totals: readonly TotalKey[];
}

export function hasHardFailures(result: FormResult): boolean {
  return result.checks.some((check) => !check.ok && check.severity === "error");
}

/** Cells taken from each failing sum that names many (they come most likely first). */
const TOP_SUSPECTS_PER_SUM = 3;

/**
 * The rows and totals to look at again, from the failed hard checks:
 * - a check about one cell (digits disagree with words, illegible) names that cell;
 * - a failing sum already explained by such a cell adds nothing; otherwise it adds its few most
 *   likely cells (checkForm lists them most likely first) and the totals it compares;
 * - a failed check that names no cell at all makes every written cell suspect.
 */
export function suspectCells(result: FormResult): SuspectCells {
  const failed = result.checks.filter((check) => !check.ok && check.severity === "error");
  const rows = new Set<number>();
  const totals = new Set<TotalKey>();
  const cellsOf = (check: Check) => ({ rows: check.rows ?? [], totals: (check.totals ?? []).filter(isTotalKey) });
  const single = failed.filter((check) => cellsOf(check).rows.length + cellsOf(check).totals.length === 1);
  for (const check of single) {
    for (const row of cellsOf(check).rows) rows.add(row);
    for (const key of cellsOf(check).totals) totals.add(key);
  }
  let unlocated = false;
  for (const check of failed) {
    const cells = cellsOf(check);
    if (cells.rows.length + cells.totals.length <= 1) {
      if (cells.rows.length + cells.totals.length === 0) unlocated = true;
      continue;
    }
    const explained = cells.rows.some((row) => rows.has(row)) || cells.totals.some((key) => totals.has(key));
    if (explained && single.length > 0) continue;
    for (const row of cells.rows.slice(0, TOP_SUSPECTS_PER_SUM)) rows.add(row);
    for (const key of cells.totals) totals.add(key);
  }
  if (unlocated) {
    for (const row of result.votes) if (row.mark !== "blank") rows.add(row.number);
    for (const key of TOTAL_KEYS) if (result.totals[key] !== null) totals.add(key);
  }
  return {
    rows: [...rows].sort((a, b) => a - b),
    totals: TOTAL_KEYS.filter((key) => totals.has(key)),
  };
}

export interface Reconciliation {
  readonly result: FormResult;
  /** True when the second read agreed with the first on every cell it was asked for. */
  readonly confirmed: boolean;
  /** Cells taken from the second read. */
  readonly corrected: SuspectCells;
}

/**
 * Combines a first reading with a focused second read of the suspect cells:
 * - a cell read the same twice keeps its value;
 * - a cell read differently is taken from the second read only when that read's digits agree with
 *   its words and the corrected form passes every hard check (a re-read, recorded as such);
 * - otherwise the first reading stands, the disagreement is listed, and the form needs review.
 */
export function reconcileReask(
  draft: FormDraft,
  first: FormResult,
  asked: SuspectCells,
  reply: ReaskReply,
  reference?: ReferenceLookup,
): Reconciliation {
  const secondRows = new Map<number, NumberCell>();
  for (const read of reply.rows) if (!secondRows.has(read.number)) secondRows.set(read.number, cellFromReply(read));

  const changedRows = new Map<number, NumberCell>();
  const changedTotals = new Map<TotalKey, NumberCell>();
  const disagreements: string[] = [];
  const unread: string[] = [];
  let plausible = true;

  for (const number of asked.rows) {
    const before = first.votes.find((row) => row.number === number) ?? null;
    const after = secondRows.get(number) ?? null;
    if (after === null) {
      unread.push(`row ${number}`);
      continue;
    }
    if (sameReading(before, after)) continue;
    disagreements.push(`row ${number}: first ${describeCell(before)}, second ${describeCell(after)}`);
    changedRows.set(number, after);
    if (!wordsConfirmDigits(after)) plausible = false;
  }
  for (const key of asked.totals) {
    const read = reply.totals[key];
    if (read === null) {
      unread.push(key);
      continue;
    }
    const before = first.totals[key];
    const after = cellFromReply(read);
    if (sameReading(before, after)) continue;
    disagreements.push(`${key}: first ${describeCell(before)}, second ${describeCell(after)}`);
    changedTotals.set(key, after);
    if (!wordsConfirmDigits(after)) plausible = false;
  }

  const confirmed = disagreements.length === 0 && unread.length === 0;
  if (disagreements.length > 0 && plausible) {
    const corrected = applyCells(draft, changedRows, changedTotals);
    const rechecked = checkDraft(corrected, reference);
    if (!hasHardFailures(rechecked)) {
      const note: Check = {
        rule: "reask-corrected",
        ok: true,
        severity: "info",
        detail: `taken from a second read whose digits agree with its words and with every sum (${disagreements.join("; ")})`,
        ...(changedRows.size > 0 ? { rows: [...changedRows.keys()] } : {}),
        ...(changedTotals.size > 0 ? { totals: [...changedTotals.keys()] } : {}),
      };
      return {
        result: { ...rechecked, checks: [...rechecked.checks, note] },
        confirmed: false,
        corrected: { rows: [...changedRows.keys()], totals: [...changedTotals.keys()] },
      };
    }
  }

  const notes: Check[] = [];
  if (disagreements.length > 0) {
    notes.push({
      rule: "reask-disagrees",
      ok: false,
      severity: "warning",
      detail: `a second read differs and does not resolve the checks; the first read is kept (${disagreements.join("; ")})`,
      ...(changedRows.size > 0 ? { rows: [...changedRows.keys()] } : {}),
      ...(changedTotals.size > 0 ? { totals: [...changedTotals.keys()] } : {}),
    });
  } else {
    notes.push({
      rule: "reask-confirmed",
      ok: true,
      severity: "info",
      detail: `a second read agrees with the first on ${describeAsked(asked)}: the form is inconsistent as written, or misread twice the same way`,
      ...(asked.rows.length > 0 ? { rows: [...asked.rows] } : {}),
      ...(asked.totals.length > 0 ? { totals: [...asked.totals] } : {}),
    });
  }
  if (unread.length > 0) {
    notes.push({ rule: "reask-incomplete", ok: true, severity: "info", detail: `the second read did not return ${unread.join(", ")}` });
  }
  const rows = [...new Set([...asked.rows])];
  const reason = `still inconsistent after a second read${rows.length > 0 ? `; look at rows ${rows.join(", ")}` : ""}${
    asked.totals.length > 0 ? `; totals ${asked.totals.join(", ")}` : ""
  }`;
  return {
    result: { ...first, checks: [...first.checks, ...notes], status: "needs_review", reasons: [...first.reasons, reason] },
    confirmed,
    corrected: { rows: [], totals: [] },
  };
}

function applyCells(draft: FormDraft, rows: ReadonlyMap<number, NumberCell>, totals: ReadonlyMap<TotalKey, NumberCell>): FormDraft {
  const votes: VoteRow[] = draft.result.votes.map((row) => {
    const cell = rows.get(row.number);
    return cell ? { ...row, ...cell } : row;
  });
  // Rows missing from the first read and supplied by the second.
  for (const [number, cell] of rows) if (!votes.some((row) => row.number === number)) votes.push({ ...cell, number });
  votes.sort((a, b) => a.number - b.number);
  const nextTotals = { ...draft.result.totals };
  for (const [key, cell] of totals) nextTotals[key] = cell;
  const present = new Set(votes.map((row) => row.number));
  const notes = draft.notes.flatMap((note): Check[] => {
    if (note.rule !== "missing-rows") return [note];
    const still = (note.rows ?? []).filter((number) => !present.has(number));
    return still.length === 0 ? [] : [{ ...note, detail: `rows ${still.join(", ")} were not read`, rows: still }];
  });
  return { notes, result: { ...draft.result, votes, totals: nextTotals } };
}

function describeAsked(asked: SuspectCells): string {
  const parts = [];
  if (asked.rows.length > 0) parts.push(`rows ${asked.rows.join(", ")}`);
  if (asked.totals.length > 0) parts.push(asked.totals.join(", "));
  return parts.join(" and ") || "the cells asked for";
}

function isTotalKey(key: string): key is TotalKey {
  return (TOTAL_KEYS as readonly string[]).includes(key);
}
