import type { Witness } from "../forms/evidence.js";
import type { FormResult, NumberCell } from "../forms/form-result.js";
import { voteRows } from "../forms/vote-rows.js";
import type { Reference } from "../reference/reference.js";
import { csvRow } from "./csv.js";

export const VOTES_CSV_HEADER = [
  "document_id",
  "path",
  "form_code",
  "form_kind",
  "province",
  "province_id",
  "constituency",
  "district",
  "subdistrict",
  "unit",
  "set",
  "row_number",
  "reference_id",
  "name",
  "party",
  "digits",
  "words",
  "value",
  "mark",
  "edited_by",
  "document_status",
  /** The cell's verdict: agreed, pinned, single or disputed (empty on results from before witnesses). */
  "verdict",
  /** Who read the cell and what: "model openrouter:m 614; local 614 (0.97)". */
  "witnesses",
  /** On a verified form: "witnesses", or "checks" when single-witness cells were accepted. */
  "assurance",
] as const;

interface RowName {
  readonly referenceId: string | null;
  readonly name: string | null;
  readonly party: string | null;
}

function rowName(result: FormResult, number: number, reference: Reference | undefined): RowName {
  const none = { referenceId: null, name: null, party: null };
  if (!reference) return none;
  if (result.formKind === "party_list") {
    const party = reference.partyByNumber(number);
    return party ? { referenceId: `party_${party.number}`, name: party.name, party: party.name } : none;
  }
  const { provinceId, constituency } = result.location;
  if (result.formKind !== "constituency" || provinceId === null || constituency === null) return none;
  const candidate = reference.candidate(provinceId, constituency, number);
  if (!candidate) return none;
  return { referenceId: candidate.id, name: candidate.name, party: candidate.party?.name ?? null };
}

/** The constituency's number of candidates, when the reference knows it. */
function candidateCount(result: FormResult, reference: Reference | undefined): number | null {
  const { provinceId, constituency } = result.location;
  if (!reference || result.formKind !== "constituency" || provinceId === null || constituency === null) return null;
  return reference.candidateCount(provinceId, constituency);
}

/**
 * The tidy votes.csv rows of one document: one per candidate or party row read. Printed
 * candidate rows with no candidate are not vote rows (see voteRows); an unread cell has an
 * empty value, never 0.
 */
export function votesCsvRows(result: FormResult, reference: Reference | undefined): string {
  const loc = result.location;
  const common = [
    result.document.id,
    result.document.sources[0]?.path ?? "",
    result.formCode,
    result.formKind,
    loc.province,
    loc.provinceId,
    loc.constituency,
    loc.district,
    loc.subdistrict,
    loc.unit,
    loc.setNumber,
  ];
  let text = "";
  for (const row of voteRows(result, candidateCount(result, reference))) {
    const names = rowName(result, row.number, reference);
    text += csvRow([
      ...common,
      row.number,
      names.referenceId,
      names.name,
      names.party,
      row.digits,
      row.words,
      cellValueForCsv(row),
      row.mark,
      row.edit?.by ?? null,
      result.status,
      row.verdict ?? null,
      describeWitnesses(row.witnesses),
      result.assurance ?? null,
    ]);
  }
  return text;
}

/** Blank and dash are written as 0 (they count as zero); illegible stays empty. */
function cellValueForCsv(cell: NumberCell): number | null {
  if (cell.mark === "blank" || cell.mark === "dash") return 0;
  return cell.value;
}

/** Each witness of a cell in one field: kind, source for models and persons, value, confidence. */
export function describeWitnesses(witnesses: readonly Witness[] | undefined): string | null {
  if (!witnesses || witnesses.length === 0) return null;
  return witnesses
    .map((w) => {
      const who = w.kind === "local" || w.kind === "crop" ? w.kind : `${w.kind} ${w.source}`;
      const value = w.value === null ? "?" : String(w.value);
      return `${who} ${value}${w.confidence === undefined ? "" : ` (${w.confidence.toFixed(2)})`}`;
    })
    .join("; ");
}
