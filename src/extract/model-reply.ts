import { z } from "zod";
import { FORM_KINDS } from "../forms/form-kind.js";
import type { TotalKey } from "../forms/form-result.js";

/**
 * What the model answers with: one general schema for both form kinds. Values are strings
 * exactly as written (digits and Thai words separately); parsing happens in our code, never in
 * the model. Strict-mode compatible: every field is required and nullable instead of optional.
 * Limits keep a runaway reply small; zod enforces them (they are not sent as JSON schema).
 */
const MAX_DIGITS = 24;
const MAX_WORDS = 120;
const MAX_HEADER_TEXT = 160;
/** The party-list form has 57 rows; room for a few stray ones, which assembly flags. */
export const MAX_REPLY_ROWS = 80;

// Cell conventions (digits as written, "-" for a dash, null for blank, "?" for unreadable) are
// explained once in the prompt rather than repeated in every schema node.
const digits = z.string().max(MAX_DIGITS).nullable();
const words = z.string().max(MAX_WORDS).nullable();

export const CellReplySchema = z.object({ digits, words });
export type CellReply = z.infer<typeof CellReplySchema>;

const headerText = z.string().max(MAX_HEADER_TEXT).nullable();

export const HeaderReplySchema = z.object({
  formCode: headerText.describe('Form code as printed, e.g. "ส.ส. 5/18"'),
  formKind: z.enum(FORM_KINDS).nullable().describe('"party_list" when the title has (บช), else "constituency"'),
  province: headerText,
  constituency: headerText.describe("Constituency (เขตเลือกตั้งที่) as written"),
  district: headerText.describe("อำเภอ/เขต as written"),
  subdistrict: headerText.describe("ตำบล/แขวง as written"),
  unit: headerText.describe("Polling unit (หน่วยเลือกตั้งที่) as written"),
  setNumber: headerText.describe("Set number (ชุดที่) as written"),
  countingPlace: headerText.describe("Counting place as written"),
});
export type HeaderReply = z.infer<typeof HeaderReplySchema>;

/** A header with nothing read. */
export function emptyHeaderReply(): HeaderReply {
  return {
    formCode: null,
    formKind: null,
    province: null,
    constituency: null,
    district: null,
    subdistrict: null,
    unit: null,
    setNumber: null,
    countingPlace: null,
  };
}

const total = CellReplySchema.nullable();

/** Keys match TotalsSchema in forms/form-result.ts; null when the form has no such line. */
export const TotalsReplySchema = z.object({
  eligibleVoters: total.describe("5/18: voters on the register"),
  votersTurnedUp: total.describe("5/18: voters who came to vote"),
  envelopes: total.describe("5/17: envelopes received"),
  ballotsInEnvelopes: total.describe("5/17: ballots found in the envelopes"),
  ballotsReceived: total.describe("ballots received (ได้รับบัตรเลือกตั้ง)"),
  ballotsUsed: total.describe("ballots used"),
  ballotsRemaining: total.describe("ballots left over"),
  good: total.describe("good ballots (บัตรดี)"),
  bad: total.describe("bad ballots (บัตรเสีย)"),
  noVote: total.describe("ballots marked for no one (ไม่เลือกผู้สมัครผู้ใด / ไม่ประสงค์ลงคะแนน)"),
  voteTotal: total.describe("the total line under the rows (รวมคะแนนทั้งสิ้น)"),
});
export type TotalsReply = z.infer<typeof TotalsReplySchema>;

// Compile-time guard: the reply's total keys are exactly the result's.
type SameKeys<A, B> = [Exclude<A, B>, Exclude<B, A>] extends [never, never] ? true : false;
const totalKeysMatch: SameKeys<keyof TotalsReply, TotalKey> = true;
void totalKeysMatch;

export const RowReplySchema = z.object({
  number: z.int().min(1).max(999).describe("The printed row number (Thai digits on the form), as an Arabic integer"),
  digits,
  words,
});
export type RowReply = z.infer<typeof RowReplySchema>;

export const ModelReplySchema = z.object({
  header: HeaderReplySchema,
  totals: TotalsReplySchema,
  rows: z.array(RowReplySchema).max(MAX_REPLY_ROWS),
});
export type ModelReply = z.infer<typeof ModelReplySchema>;
export const MODEL_REPLY_SCHEMA_NAME = "tally_form_reading";

/** The focused second look: only the rows and totals asked for. */
export const ReaskReplySchema = z.object({
  totals: TotalsReplySchema,
  rows: z.array(RowReplySchema).max(MAX_REPLY_ROWS),
});
export type ReaskReply = z.infer<typeof ReaskReplySchema>;
export const REASK_REPLY_SCHEMA_NAME = "tally_form_reread";
