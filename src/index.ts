/**
 * ballot-ocr as a library. These exports are stable; everything else is internal.
 */
export { ok, err, type Result, type Ok, type Err } from "./basics/result.js";

// Forms and Thai numbers
export { thaiDigitsToArabic, arabicDigitsToThai } from "./forms/thai-digits.js";
export { formatThaiNumber } from "./forms/thai-number-format.js";
export { parseThaiNumber, readNumberText, type NumberReading } from "./forms/thai-number.js";
export {
  FORM_CODES,
  FORM_KINDS,
  PARTY_COUNT,
  formLayout,
  formLabel,
  type FormCode,
  type FormKind,
  type PageLayout,
} from "./forms/form-kind.js";
export {
  FormResultSchema,
  NumberCellSchema,
  VoteRowSchema,
  TotalsSchema,
  CheckSchema,
  countedValue,
  type FormResult,
  type NumberCell,
  type VoteRow,
  type Totals,
  type Check,
  type Status,
} from "./forms/form-result.js";
export { PROVINCES, findProvinceByName, type Province } from "./forms/provinces.js";
export { inferPathMetadata, type PathMetadata, type PathField } from "./forms/path-metadata.js";

// Verification
export { checkForm, type FormCheckOutcome } from "./verify/check-form.js";
export { applyVerdict, decideCells, recordWitnesses, type FormVerdict, type VerdictOptions } from "./verify/verdict.js";
export {
  WitnessSchema,
  type Witness,
  type CellVerdict,
  type Assurance,
  type AlignmentFinding,
  type CellId,
  type WitnessesByCell,
} from "./forms/evidence.js";
export type { ReferenceLookup, ProvinceMatch } from "./verify/reference-lookup.js";
