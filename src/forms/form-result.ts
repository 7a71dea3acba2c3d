import { z } from "zod";
import { AlignmentFindingSchema, AssuranceSchema, CellVerdictSchema, type TotalKeyName, WitnessSchema } from "./evidence.js";
import { FORM_CODES, FORM_KINDS } from "./form-kind.js";

/**
 * The one result type used everywhere: CLI output, store, web, reports.
 * Every number is kept as read (digits and words, verbatim) next to the value we accept.
 */
export const FORM_RESULT_SCHEMA_VERSION = 1;

/** How a cell was filled in. Blank and dash count as zero votes; illegible is unknown, never zero. */
export const CellMarkSchema = z.enum(["digits", "dash", "blank", "illegible"]);
export type CellMark = z.infer<typeof CellMarkSchema>;

/** A person changed this value in review. */
export const CellEditSchema = z.object({
  by: z.string().min(1),
  at: z.string(),
  previousValue: z.int().nonnegative().nullable(),
  note: z.string().optional(),
});
export type CellEdit = z.infer<typeof CellEditSchema>;

export const NumberCellSchema = z.object({
  /** Digits exactly as read (Arabic or Thai, "-" for a dash); null when the cell is empty or unreadable. */
  digits: z.string().nullable(),
  /** Thai number words exactly as read, e.g. "หกร้อยสิบสี่บัตร"; null when absent. */
  words: z.string().nullable(),
  /** The accepted value; null when unknown (blank total, illegible cell). */
  value: z.int().nonnegative().nullable(),
  mark: CellMarkSchema,
  /** 0..1 when the reader reports one (the local reader does). */
  confidence: z.number().min(0).max(1).optional(),
  edit: CellEditSchema.optional(),
  /** Everyone who read this cell and what they read (absent on results from before witnesses). */
  witnesses: z.array(WitnessSchema).optional(),
  /** What the witnesses support, on the cells the verdict needs. */
  verdict: CellVerdictSchema.optional(),
});
export type NumberCell = z.infer<typeof NumberCellSchema>;

/** One candidate (constituency form) or party (party-list form) row, by its printed number. */
export const VoteRowSchema = NumberCellSchema.extend({
  number: z.int().min(1),
  /** 1-based page of the document the row was read from, when known. */
  page: z.int().min(1).optional(),
});
export type VoteRow = z.infer<typeof VoteRowSchema>;

export const TotalsSchema = z.object({
  /** 5/18: voters on the register / voters who came. */
  eligibleVoters: NumberCellSchema.nullable(),
  votersTurnedUp: NumberCellSchema.nullable(),
  /** 5/17: envelopes received and ballots found in them. */
  envelopes: NumberCellSchema.nullable(),
  ballotsInEnvelopes: NumberCellSchema.nullable(),
  ballotsReceived: NumberCellSchema.nullable(),
  ballotsUsed: NumberCellSchema.nullable(),
  ballotsRemaining: NumberCellSchema.nullable(),
  good: NumberCellSchema.nullable(),
  bad: NumberCellSchema.nullable(),
  noVote: NumberCellSchema.nullable(),
  /** The "รวมคะแนนทั้งสิ้น" line under the vote rows. */
  voteTotal: NumberCellSchema.nullable(),
});
export type Totals = z.infer<typeof TotalsSchema>;
export type TotalKey = keyof Totals;
// evidence.ts names the same keys without importing this module; the two must not drift.
const sameTotalKeys: [TotalKey, TotalKeyName] extends [TotalKeyName, TotalKey] ? true : never = true;
void sameTotalKeys;
export const TOTAL_KEYS = Object.keys(TotalsSchema.shape) as TotalKey[];

export const LocationSchema = z.object({
  province: z.string().nullable(),
  /** Official ECT id such as "PRE", when the province is known. */
  provinceId: z.string().nullable(),
  constituency: z.int().min(0).nullable(),
  district: z.string().nullable(),
  subdistrict: z.string().nullable(),
  unit: z.int().min(0).nullable(),
  setNumber: z.int().min(0).nullable(),
  countingPlace: z.string().nullable(),
});
export type Location = z.infer<typeof LocationSchema>;

export const SeveritySchema = z.enum(["error", "warning", "info"]);
export type Severity = z.infer<typeof SeveritySchema>;

/**
 * Every rule a check can have, including the ones earlier versions wrote (stored results must
 * still load). A new check adds its rule here.
 */
export const CHECK_RULES = [
  // one cell at a time
  "cell-value",
  "cell-legible",
  "digits-parse",
  "digits-words",
  "words-parse",
  "words-missing",
  "words-only",
  // sums and presence
  "votes-sum-good",
  "vote-total-sum",
  "vote-total-good",
  "ballots-sum",
  "ballots-received-balance",
  "ballots-used-present",
  "ballots-used-within-received",
  "good-present",
  "turnout-matches-ballots-used",
  "turnout-within-register",
  "envelopes-match-ballots",
  "envelope-ballots-match-received",
  // rows
  "row-numbers-unique",
  "row-within-good",
  "candidate-rows",
  "missing-rows",
  "rows-outside-form",
  "party-list-complete",
  // plausibility
  "ballots-plausible",
  "bad-ballots-plausible",
  // assembly and re-asks
  "header-pages-differ",
  "conflicting-reads",
  "path-metadata-mismatch",
  "form-kind-known",
  "reask-confirmed",
  "reask-corrected",
  "reask-disagrees",
  "reask-incomplete",
  // reference data
  "province-known",
  "reference-province",
  "reference-constituency",
  "reference-candidate-rows",
  "reference-candidate-rows-present",
  // witnesses
  "witness-agreement",
  "row-alignment",
] as const;
export const CheckRuleSchema = z.enum(CHECK_RULES);
export type CheckRule = z.infer<typeof CheckRuleSchema>;

/** One finding of the consistency checks. Severity "error" is a hard check: it blocks "verified". */
export const CheckSchema = z.object({
  rule: CheckRuleSchema,
  ok: z.boolean(),
  severity: SeveritySchema,
  detail: z.string(),
  /** Row numbers a reviewer should look at. */
  rows: z.array(z.int()).optional(),
  /** Totals a reviewer should look at. */
  totals: z.array(z.string()).optional(),
});
export type Check = z.infer<typeof CheckSchema>;

export const STATUSES = ["verified", "needs_review", "failed"] as const;
export const StatusSchema = z.enum(STATUSES);
export type Status = z.infer<typeof StatusSchema>;

export const SourceFileSchema = z.object({
  path: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.int().nonnegative(),
});
export type SourceFile = z.infer<typeof SourceFileSchema>;

export const PageInfoSchema = z.object({
  index: z.int().min(1),
  role: z.enum(["counts", "signatures", "unknown"]),
  sent: z.boolean(),
  sourceWidth: z.int().nonnegative().optional(),
  sourceHeight: z.int().nonnegative().optional(),
  preparedBytes: z.int().nonnegative().optional(),
});
export type PageInfo = z.infer<typeof PageInfoSchema>;

export const ProvenanceSchema = z.object({
  provider: z.string().nullable(),
  model: z.string().nullable(),
  promptVersion: z.string().nullable(),
  /** Provider calls made for this document, including retries and re-asks. */
  requests: z.int().nonnegative(),
  attempts: z.int().nonnegative(),
  promptTokens: z.int().nonnegative().nullable(),
  completionTokens: z.int().nonnegative().nullable(),
  costUsd: z.number().nonnegative().nullable(),
  /** Independent reads that agreed on every value (2 after a confirming re-ask). */
  agreeingReads: z.int().nonnegative().optional(),
  /** CPU ms the witnesses spent reading (the offline reader), and the pages they read. */
  witnessCpuMs: z.int().nonnegative().optional(),
  witnessPages: z.int().nonnegative().optional(),
  /** The run accepted single-witness cells (--accept-single-witness): a re-decided result keeps that rule. */
  singleWitnessAccepted: z.boolean().optional(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;

export const ProcessingErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
});
export type ProcessingError = z.infer<typeof ProcessingErrorSchema>;

export const ReviewSchema = z.object({
  approvedBy: z.string(),
  approvedAt: z.string(),
  /**
   * Approved "as written": a person confirmed every value as it stands on the paper, although the
   * paper's own arithmetic does not add up (an official's error). Exports carry the flag and the note.
   */
  asWritten: z.literal(true).optional(),
  note: z.string().optional(),
});

export const FormResultSchema = z.object({
  schemaVersion: z.literal(FORM_RESULT_SCHEMA_VERSION),
  document: z.object({
    /** Content id: sha256 of the file, or of the page files' hashes in order for a page series. */
    id: z.string().regex(/^[0-9a-f]{64}$/),
    sources: z.array(SourceFileSchema).min(1),
    pages: z.array(PageInfoSchema),
  }),
  formCode: z.enum(FORM_CODES).nullable(),
  formKind: z.enum(FORM_KINDS).nullable(),
  location: LocationSchema,
  totals: TotalsSchema,
  /** Ordered by row number. */
  votes: z.array(VoteRowSchema),
  checks: z.array(CheckSchema),
  status: StatusSchema,
  reasons: z.array(z.string()),
  error: ProcessingErrorSchema.optional(),
  provenance: ProvenanceSchema,
  review: ReviewSchema.optional(),
  /** On a verified form: whether independent witnesses or only the checks stand behind it. */
  assurance: AssuranceSchema.optional(),
  /** Row-alignment findings between the model and a witness; a form with one is never verified. */
  alignment: z.array(AlignmentFindingSchema).optional(),
});
export type FormResult = z.infer<typeof FormResultSchema>;

export const EMPTY_LOCATION: Location = {
  province: null,
  provinceId: null,
  constituency: null,
  district: null,
  subdistrict: null,
  unit: null,
  setNumber: null,
  countingPlace: null,
};

export function emptyTotals(): Totals {
  return Object.fromEntries(TOTAL_KEYS.map((key) => [key, null])) as Totals;
}

export const EMPTY_PROVENANCE: Provenance = {
  provider: null,
  model: null,
  promptVersion: null,
  requests: 0,
  attempts: 0,
  promptTokens: null,
  completionTokens: null,
  costUsd: null,
  startedAt: null,
  finishedAt: null,
};

/** Votes a row contributes to sums: blank and dash are zero, an illegible cell is unknown. */
export function countedValue(cell: NumberCell): number | null {
  if (cell.mark === "blank" || cell.mark === "dash") return 0;
  return cell.value;
}
