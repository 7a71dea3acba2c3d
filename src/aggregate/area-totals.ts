import { FORM_KINDS, type FormKind } from "../forms/form-kind.js";
import type { FormSummary } from "./form-summary.js";
import { UNKNOWN_VOTE } from "./form-summary.js";

/**
 * Exact integer sums of one form kind over some set of forms. A value that is unknown on a form
 * is not guessed: it is left out of the sum and counted in `unknown`, so a sum with unknowns is
 * visibly partial.
 */
export interface KindTotals {
  forms: number;
  ballotsUsed: number;
  good: number;
  bad: number;
  noVote: number;
  eligibleVoters: number;
  votersTurnedUp: number;
  /** Votes by row number (candidate number or party number). */
  votes: Map<number, number>;
  /** How many form values were unknown, by field ("good", "row 3", …). */
  unknown: Map<string, number>;
  /** Forms whose every vote row was read: the only ones charts and shares are drawn from. */
  completeForms: number;
  /** Votes by row number over the complete forms only. */
  completeVotes: Map<number, number>;
}

/**
 * A sum over forms with the number of cells in it that were not read. Counts are never
 * negative, so `known` is a lower bound; it is the sum only when `unread` is 0.
 */
export interface PartialSum {
  readonly known: number;
  readonly unread: number;
}

export type AreaTotals = Record<FormKind, KindTotals>;

export const BALLOT_FIELDS = ["ballotsUsed", "good", "bad", "noVote", "eligibleVoters", "votersTurnedUp"] as const;
export type BallotField = (typeof BALLOT_FIELDS)[number];

/** The ballot counts every report sums and shows (eligible voters and turnout are on few forms). */
export const REPORTED_BALLOT_FIELDS = ["ballotsUsed", "good", "bad", "noVote"] as const satisfies readonly BallotField[];
export type ReportedBallotField = (typeof REPORTED_BALLOT_FIELDS)[number];

export function emptyKindTotals(): KindTotals {
  return {
    forms: 0,
    ballotsUsed: 0,
    good: 0,
    bad: 0,
    noVote: 0,
    eligibleVoters: 0,
    votersTurnedUp: 0,
    votes: new Map(),
    unknown: new Map(),
    completeForms: 0,
    completeVotes: new Map(),
  };
}

export function emptyAreaTotals(): AreaTotals {
  return { constituency: emptyKindTotals(), party_list: emptyKindTotals() };
}

function bump<K>(map: Map<K, number>, key: K, by: number): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

export function addForm(totals: KindTotals, form: FormSummary): void {
  totals.forms += 1;
  for (const field of BALLOT_FIELDS) {
    const value = form.counts[field];
    if (value === null) bump(totals.unknown, field, 1);
    else totals[field] += value;
  }
  const votes = form.votes;
  for (let index = 0; index < votes.length; index++) {
    const value = votes[index]!;
    if (value === UNKNOWN_VOTE) bump(totals.unknown, `row ${index + 1}`, 1);
    else bump(totals.votes, index + 1, value);
  }
  if (form.votesComplete) {
    totals.completeForms += 1;
    for (let index = 0; index < votes.length; index++) bump(totals.completeVotes, index + 1, votes[index]!);
  }
}

/** Add `part` into `whole` (used to roll stations up to constituencies, provinces and the nation). */
export function mergeKindTotals(whole: KindTotals, part: KindTotals): void {
  whole.forms += part.forms;
  for (const field of BALLOT_FIELDS) whole[field] += part[field];
  for (const [row, votes] of part.votes) bump(whole.votes, row, votes);
  for (const [field, count] of part.unknown) bump(whole.unknown, field, count);
  whole.completeForms += part.completeForms;
  for (const [row, votes] of part.completeVotes) bump(whole.completeVotes, row, votes);
}

export function mergeAreaTotals(whole: AreaTotals, part: AreaTotals): void {
  for (const kind of FORM_KINDS) mergeKindTotals(whole[kind], part[kind]);
}

export function unknownCount(totals: KindTotals, field: string): number {
  return totals.unknown.get(field) ?? 0;
}

/** A ballot count summed over the forms, with the forms where it was not read. */
export function fieldSum(totals: KindTotals, field: BallotField): PartialSum {
  return { known: totals[field], unread: unknownCount(totals, field) };
}

/** The votes of one row summed over the forms, with the forms where that row was not read. */
export function rowSum(totals: KindTotals, row: number): PartialSum {
  return { known: totals.votes.get(row) ?? 0, unread: unknownCount(totals, `row ${row}`) };
}

/** The exact sum, or null when any cell in it was not read. */
export function exactSum(sum: PartialSum): number | null {
  return sum.unread === 0 ? sum.known : null;
}

/** Vote-row cells that were not read, over all rows. */
export function unreadRowCells(totals: KindTotals): number {
  let count = 0;
  for (const [field, n] of totals.unknown) if (field.startsWith("row ")) count += n;
  return count;
}

/** Rows of the complete forms by votes, most first, with the total they are shares of. */
export function completeRowShares(totals: KindTotals): { rows: { number: number; votes: number }[]; total: number } {
  const rows = [...totals.completeVotes]
    .map(([number, votes]) => ({ number, votes }))
    .sort((a, b) => b.votes - a.votes || a.number - b.number);
  return { rows, total: rows.reduce((sum, row) => sum + row.votes, 0) };
}

/** Every row number with a value or an unread cell on some form. */
export function rowNumbers(totals: KindTotals): number[] {
  const rows = new Set(totals.votes.keys());
  for (const field of totals.unknown.keys()) if (field.startsWith("row ")) rows.add(Number(field.slice(4)));
  return [...rows].sort((a, b) => a - b);
}
