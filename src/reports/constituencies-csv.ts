import type { BatchAnalysis } from "../aggregate/batch-analysis.js";
import { exactSum, fieldSum, REPORTED_BALLOT_FIELDS, unreadRowCells } from "../aggregate/area-totals.js";
import { coverageRatio } from "../aggregate/coverage.js";
import { FORM_KINDS } from "../forms/form-kind.js";
import type { Reference } from "../reference/reference.js";
import { csvRow } from "./csv.js";

export const CONSTITUENCIES_CSV_HEADER = [
  "constituency_id",
  "province",
  "province_id",
  "constituency",
  "form_kind",
  "forms",
  "forms_with_all_votes",
  "units_processed",
  "units_in_reference",
  "coverage",
  "complete",
  "advance_sets",
  "ballots_used",
  "ballots_used_unread",
  "good",
  "good_unread",
  "bad",
  "bad_unread",
  "no_vote",
  "no_vote_unread",
  "vote_cells_unread",
  "official_turnout",
  "official_valid",
  "official_invalid",
  "official_no_vote",
  "discrepancies",
] as const;

/**
 * One row per constituency and form kind: sums, coverage and the official figures. A sum is
 * written only when every form's cell was read; otherwise it is empty and its `_unread` column
 * says on how many forms the cell was not read (a partial sum is never written as a total).
 */
export function* constituenciesCsvLines(analysis: BatchAnalysis, reference?: Reference): Generator<string> {
  yield csvRow(CONSTITUENCIES_CSV_HEADER);
  const areas = [...analysis.rollup.constituencies.values()].sort((a, b) => a.key.localeCompare(b.key));
  for (const area of areas) {
    for (const kind of FORM_KINDS) {
      const totals = area.totals[kind];
      if (totals.forms === 0) continue;
      const coverage = analysis.comparison.coverage.constituencies.get(area.key)?.[kind];
      const official = reference?.official?.constituencies.get(area.key);
      const counts = official ? (kind === "constituency" ? official.constituency : official.partyList) : null;
      const discrepancies = analysis.comparison.discrepancies.filter((d) => d.area === area.key && d.kind === kind).length;
      yield csvRow([
        area.key,
        area.province ?? reference?.province(area.provinceKey)?.name,
        area.provinceId,
        area.constituency,
        kind,
        totals.forms,
        totals.completeForms,
        coverage?.unitsProcessed,
        coverage?.unitsInReference,
        coverage ? coverageRatio(coverage)?.toFixed(4) : null,
        coverage?.complete ?? false,
        coverage?.advanceSetsProcessed,
        ...REPORTED_BALLOT_FIELDS.flatMap((field) => {
          const sum = fieldSum(totals, field);
          return [exactSum(sum), sum.unread];
        }),
        unreadRowCells(totals),
        counts?.turnout,
        counts?.valid,
        counts?.invalid,
        counts?.noVote,
        discrepancies,
      ]);
    }
  }
}
