import type { FormResult, VoteRow } from "./form-result.js";

/**
 * The rows of a form that are vote rows. A constituency form is printed with 10 candidate rows
 * and most constituencies use fewer: a printed row with no candidate is left blank, and it is
 * not a candidate with 0 votes. Such rows are the blank ones beyond the constituency's candidates
 * (when the reference says how many) or, without that, the blank rows after the last row with
 * anything written in it. Party-list forms print one row per party: every row is a vote row.
 */
export function voteRows(result: FormResult, candidateCount: number | null = null): readonly VoteRow[] {
  if (result.formKind !== "constituency") return result.votes;
  const blank = (row: VoteRow) => row.mark === "blank" && !row.edit;
  let last = 0;
  for (const row of result.votes) if (!blank(row)) last = Math.max(last, row.number);
  const limit = candidateCount === null ? last : Math.max(last, candidateCount);
  return result.votes.filter((row) => row.number <= limit || !blank(row));
}
