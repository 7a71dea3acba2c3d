import { type Assurance, SINGLE_WITNESS_REASON } from "../forms/evidence.js";
import type { FormCode, FormKind } from "../forms/form-kind.js";
import { countedValue, type FormResult, type NumberCell, type Status } from "../forms/form-result.js";
import { voteRows } from "../forms/vote-rows.js";

/** Ballot counts of one form as numbers; null when unknown. */
export interface BallotCounts {
  readonly eligibleVoters: number | null;
  readonly votersTurnedUp: number | null;
  /** Ballots used (turnout on the form). Falls back to good + bad + no-vote when not read. */
  readonly ballotsUsed: number | null;
  readonly good: number | null;
  readonly bad: number | null;
  readonly noVote: number | null;
  readonly voteTotal: number | null;
}

export interface FailedCheck {
  readonly rule: string;
  readonly severity: "error" | "warning" | "info";
  readonly detail: string;
}

/**
 * What aggregation keeps of a form result: numbers and identifiers only, so a batch of
 * 100,000 documents fits in memory while the full results stream to disk.
 */
export interface FormSummary {
  readonly documentId: string;
  readonly path: string;
  readonly formCode: FormCode | null;
  readonly formKind: FormKind | null;
  readonly province: string | null;
  readonly provinceId: string | null;
  readonly constituency: number | null;
  readonly district: string | null;
  readonly subdistrict: string | null;
  readonly unit: number | null;
  readonly setNumber: number | null;
  readonly status: Status;
  /** On a verified form: "checks" when single-witness cells were accepted (--accept-single-witness). */
  readonly assurance: Assurance | null;
  readonly counts: BallotCounts;
  /** Votes by row number (index = number - 1); -1 = unknown (illegible or a gap); printed rows with no candidate are absent. */
  readonly votes: Int32Array;
  /** Every vote row was read (none unknown, none missing): the form can go into charts and shares. */
  readonly votesComplete: boolean;
  /** Lowest cell confidence reported, when the reader reports any. */
  readonly minConfidence: number | null;
  readonly edited: boolean;
  /** A person approved the form "as written": the paper's own sums do not add up (review.note says why). */
  readonly approvedAsWritten: boolean;
  readonly reviewNote: string | null;
  /** Rank for human review (see reviewPriority); 0 when verified. */
  readonly reviewPriority: number;
}

/**
 * A summary with the form's reasons and failed checks: what the review queue and the results
 * index read. The batch analysis keeps only the FormSummary part of each form, because those
 * texts are most of a summary's size and only the review queue's top entries need them.
 */
export interface ExplainedSummary extends FormSummary {
  readonly reasons: readonly string[];
  readonly failedChecks: readonly FailedCheck[];
}

/** The part of a summary the batch analysis keeps (a copy without the texts). */
export function withoutTexts(summary: ExplainedSummary): FormSummary {
  const { reasons: _reasons, failedChecks: _failedChecks, ...kept } = summary;
  return kept;
}

export const UNKNOWN_VOTE = -1;

/**
 * Priority of a document for human review. Failed documents first, then hard-check failures,
 * then warnings, and last the forms whose only gap is a single witness; within a level, more
 * failed checks first, then lower reader confidence.
 */
export function reviewPriority(form: Pick<ExplainedSummary, "status" | "minConfidence" | "reasons" | "failedChecks">): number {
  if (form.status === "verified") return 0;
  const confidencePenalty = form.minConfidence === null ? 0 : 1 - form.minConfidence;
  // Every check passes and nothing disputes a value; some cells rest on one reader: last in line.
  if (form.reasons.length === 1 && form.reasons[0] === SINGLE_WITNESS_REASON) return 500 + confidencePenalty;
  const errors = form.failedChecks.filter((c) => c.severity === "error").length;
  const warnings = form.failedChecks.filter((c) => c.severity === "warning").length;
  const level = form.status === "failed" ? 3 : errors > 0 ? 2 : 1;
  return level * 1000 + Math.min(errors, 99) * 10 + Math.min(warnings, 9) + confidencePenalty;
}

function cellValue(cell: NumberCell | null): number | null {
  return cell === null ? null : countedValue(cell);
}

export function summariseForm(result: FormResult): ExplainedSummary {
  const t = result.totals;
  const good = cellValue(t.good);
  const bad = cellValue(t.bad);
  const noVote = cellValue(t.noVote);
  const used = cellValue(t.ballotsUsed);
  const derivedUsed = good !== null && bad !== null && noVote !== null ? good + bad + noVote : null;
  const rows = voteRows(result);
  const maxRow = rows.reduce((max, row) => Math.max(max, row.number), 0);
  const votes = new Int32Array(maxRow).fill(UNKNOWN_VOTE);
  let minConfidence: number | null = null;
  let edited = false;
  for (const row of rows) {
    votes[row.number - 1] = countedValue(row) ?? UNKNOWN_VOTE;
    if (row.confidence !== undefined) minConfidence = Math.min(minConfidence ?? 1, row.confidence);
    if (row.edit) edited = true;
  }
  for (const cell of Object.values(t)) {
    if (cell?.confidence !== undefined) minConfidence = Math.min(minConfidence ?? 1, cell.confidence);
    if (cell?.edit) edited = true;
  }
  const failedChecks = result.checks
    .filter((check) => !check.ok)
    .map((check) => ({ rule: check.rule, severity: check.severity, detail: check.detail }));
  return {
    documentId: result.document.id,
    path: result.document.sources[0]?.path ?? "",
    formCode: result.formCode,
    formKind: result.formKind,
    province: result.location.province,
    provinceId: result.location.provinceId,
    constituency: result.location.constituency,
    district: result.location.district,
    subdistrict: result.location.subdistrict,
    unit: result.location.unit,
    setNumber: result.location.setNumber,
    status: result.status,
    assurance: result.assurance ?? null,
    reasons: result.reasons,
    failedChecks,
    counts: {
      eligibleVoters: cellValue(t.eligibleVoters),
      votersTurnedUp: cellValue(t.votersTurnedUp),
      ballotsUsed: used ?? derivedUsed,
      good,
      bad,
      noVote,
      voteTotal: cellValue(t.voteTotal),
    },
    votes,
    votesComplete: votes.length > 0 && !votes.includes(UNKNOWN_VOTE) && !result.checks.some((c) => c.rule === "missing-rows" && !c.ok),
    minConfidence,
    edited,
    approvedAsWritten: result.review?.asWritten === true,
    reviewNote: result.review?.note ?? null,
    reviewPriority: reviewPriority({ status: result.status, minConfidence, reasons: result.reasons, failedChecks }),
  };
}

/** Sum of the vote rows, or null when any row is unknown. */
export function sumOfVotes(summary: FormSummary): number | null {
  let sum = 0;
  for (const v of summary.votes) {
    if (v === UNKNOWN_VOTE) return null;
    sum += v;
  }
  return sum;
}
