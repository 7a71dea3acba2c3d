import type { BatchAnalysis } from "../aggregate/batch-analysis.js";
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
  "units_processed",
  "units_in_reference",
  "coverage",
  "complete",
  "advance_sets",
  "ballots_used",
  "good",
  "bad",
  "no_vote",
  "unknown_values",
  "official_turnout",
  "official_valid",
  "official_invalid",
  "official_no_vote",
  "discrepancies",
] as const;

/** One row per constituency and form kind: sums, coverage and the official figures. */
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
      const unknown = [...totals.unknown.values()].reduce((sum, n) => sum + n, 0);
      const discrepancies = analysis.comparison.discrepancies.filter((d) => d.area === area.key && d.kind === kind).length;
      yield csvRow([
        area.key,
        area.province ?? reference?.province(area.provinceKey)?.name,
        area.provinceId,
        area.constituency,
        kind,
        totals.forms,
        coverage?.unitsProcessed,
        coverage?.unitsInReference,
        coverage ? coverageRatio(coverage)?.toFixed(4) : null,
        coverage?.complete ?? false,
        coverage?.advanceSetsProcessed,
        totals.ballotsUsed,
        totals.good,
        totals.bad,
        totals.noVote,
        unknown,
        counts?.turnout,
        counts?.valid,
        counts?.invalid,
        counts?.noVote,
        discrepancies,
      ]);
    }
  }
}
