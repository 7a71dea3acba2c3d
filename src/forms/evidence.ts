import { z } from "zod";

/**
 * The evidence behind every number: who read a cell and what they read, the verdict those
 * readings support, and the findings that compare readers row by row. Stored in results.jsonl
 * beside the values; every field here is optional on a result so that results written before
 * witnesses existed still load.
 */

/**
 * Who read a cell. Independent readers are the first model ("model"), the offline reader
 * ("local"), another model ("second_model") and a person. A "crop" re-read is the first model
 * asked again with the row cut out by the layout: evidence of which row a value belongs to, never
 * a second witness of the digits.
 */
export const WITNESS_KINDS = ["model", "local", "crop", "second_model", "person"] as const;
export const WitnessKindSchema = z.enum(WITNESS_KINDS);
export type WitnessKind = z.infer<typeof WitnessKindSchema>;

export const WitnessSchema = z.object({
  kind: WitnessKindSchema,
  /** "provider:model" for a model, the reader id for the local reader, the reviewer for a person. */
  source: z.string().min(1),
  /** Digits as this witness read them (Arabic or Thai, "-" for a dash); null when not read. */
  digits: z.string().nullable(),
  /** Thai words as this witness read them; null when not read (the local reader reads no words). */
  words: z.string().nullable(),
  /** The counted value this witness gives; null when it could not read the cell. */
  value: z.int().nonnegative().nullable(),
  /** 0..1 when the witness reports one (the local reader: its weakest glyph). */
  confidence: z.number().min(0).max(1).optional(),
  /**
   * Other values this witness found plausible (the local reader's runner-up glyphs). Present, even
   * empty, only for a reader that enumerates its doubts; the sums can then rule those out.
   */
  alternatives: z.array(z.int().nonnegative()).optional(),
  /** ISO time of the reading, when known (a person's edit always has one). */
  at: z.string().optional(),
  /** 1-based page of the document the witness read the cell from. */
  page: z.int().min(1).optional(),
});
export type Witness = z.infer<typeof WitnessSchema>;

/**
 * - agreed: two independent witnesses read the same value (or a person settled it);
 * - pinned: the sums admit no other value among the witnesses' candidate readings;
 * - single: one witness, nothing to compare it with;
 * - disputed: witnesses read different values and nothing settles which is right.
 */
export const CELL_VERDICTS = ["agreed", "pinned", "single", "disputed"] as const;
export const CellVerdictSchema = z.enum(CELL_VERDICTS);
export type CellVerdict = z.infer<typeof CellVerdictSchema>;

/**
 * How a verified form is known to be right. "witnesses": every needed cell agreed or pinned.
 * "checks": the run accepted single-witness cells (--accept-single-witness): the checks pass, but
 * some values rest on one reader. Absent on results that are not verified and on old results.
 */
export const ASSURANCES = ["witnesses", "checks"] as const;
export const AssuranceSchema = z.enum(ASSURANCES);
export type Assurance = z.infer<typeof AssuranceSchema>;

/**
 * A row-alignment finding: the model's values match the witness's (read by position on the page)
 * shifted by `offset` rows over a run of rows, or two rows' values appear exchanged. Rows are the
 * printed row numbers, in the layout's printed order, never the model's own numbering.
 */
export const ALIGNMENT_KINDS = ["row_shift", "rows_swapped"] as const;
export const AlignmentKindSchema = z.enum(ALIGNMENT_KINDS);
export type AlignmentKind = z.infer<typeof AlignmentKindSchema>;

export const AlignmentFindingSchema = z.object({
  kind: AlignmentKindSchema,
  /** The printed rows involved, in order: the shifted run, or the two exchanged rows. */
  rows: z.array(z.int().min(1)).min(2),
  /**
   * row_shift: the model's value for row r is the witness's value for row r + offset (±1, ±2).
   * rows_swapped: the distance between the two rows.
   */
  offset: z.int(),
  /** The witness compared with the model, e.g. "local". */
  witness: z.string().min(1),
  detail: z.string(),
});
export type AlignmentFinding = z.infer<typeof AlignmentFindingSchema>;

/** The reason a form whose only gap is single-witness cells gets; the review queue ranks it lowest. */
export const SINGLE_WITNESS_REASON = "single witness";

/** Cells by the forms' own keys: a vote row by its printed number, or a total line. */
export type CellId = `row:${number}` | TotalKeyName;

/** Mirrors form-result's TotalKey without importing it (form-result imports this module). */
export type TotalKeyName =
  | "eligibleVoters"
  | "votersTurnedUp"
  | "envelopes"
  | "ballotsInEnvelopes"
  | "ballotsReceived"
  | "ballotsUsed"
  | "ballotsRemaining"
  | "good"
  | "bad"
  | "noVote"
  | "voteTotal";

/** The printed row number of a row cell id, or null for a total line. */
export function rowNumberOf(id: CellId): number | null {
  return id.startsWith("row:") ? Number(id.slice(4)) : null;
}

/** Witnesses for some cells, as a witness source reports them. */
export type WitnessesByCell = ReadonlyMap<CellId, readonly Witness[]>;
