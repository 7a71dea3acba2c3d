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
    ]);
  }
  return text;
}

/** Blank and dash are written as 0 (they count as zero); illegible stays empty. */
function cellValueForCsv(cell: NumberCell): number | null {
  if (cell.mark === "blank" || cell.mark === "dash") return 0;
  return cell.value;
}
