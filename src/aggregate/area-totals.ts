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
}

export type AreaTotals = Record<FormKind, KindTotals>;

export const BALLOT_FIELDS = ["ballotsUsed", "good", "bad", "noVote", "eligibleVoters", "votersTurnedUp"] as const;
export type BallotField = (typeof BALLOT_FIELDS)[number];

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
  form.votes.forEach((value, index) => {
    if (value === UNKNOWN_VOTE) bump(totals.unknown, `row ${index + 1}`, 1);
    else bump(totals.votes, (index + 1), value);
  });
}

/** Add `part` into `whole` (used to roll stations up to constituencies, provinces and the nation). */
export function mergeKindTotals(whole: KindTotals, part: KindTotals): void {
  whole.forms += part.forms;
  for (const field of BALLOT_FIELDS) whole[field] += part[field];
  for (const [row, votes] of part.votes) bump(whole.votes, row, votes);
  for (const [field, count] of part.unknown) bump(whole.unknown, field, count);
}

export function mergeAreaTotals(whole: AreaTotals, part: AreaTotals): void {
  for (const kind of FORM_KINDS) mergeKindTotals(whole[kind], part[kind]);
}

export function unknownCount(totals: KindTotals, field: string): number {
  return totals.unknown.get(field) ?? 0;
}
