import type { AreaStations } from "../aggregate/batch-analysis.js";
import { type FormSummary, sumOfVotes, UNKNOWN_VOTE } from "../aggregate/form-summary.js";
import { FORM_KINDS } from "../forms/form-kind.js";
import { csvRow } from "./csv.js";

export const STATIONS_CSV_HEADER = [
  "station_key",
  "province",
  "province_id",
  "constituency",
  "form_code",
  "district",
  "subdistrict",
  "unit",
  "set",
  "form_kind",
  "document_id",
  "path",
  "status",
  "eligible_voters",
  "voters_turned_up",
  "ballots_used",
  "good",
  "bad",
  "no_vote",
  "vote_total_line",
  "sum_of_rows",
  "unread_cells",
  "ignored_duplicates",
  "pair_flag",
  "approved_as_written",
  "review_note",
] as const;

/** Cells the sums need that were not read: ballots used, good, bad, no vote, the total line and the vote rows. */
function unreadCells(form: FormSummary): number {
  const { ballotsUsed, good, bad, noVote, voteTotal } = form.counts;
  const totals = [ballotsUsed, good, bad, noVote, voteTotal].filter((value) => value === null).length;
  return totals + form.votes.filter((value) => value === UNKNOWN_VOTE).length;
}

/**
 * One row per station and form kind, for the form that is counted, for one part of the batch (the
 * header is STATIONS_CSV_HEADER). An empty count is one that was not read (`unread_cells` says how
 * many); sum_of_rows is empty unless every row was read.
 * `approved_as_written` marks a form a person approved although its paper does not add up, with the note.
 */
export function* stationsCsvLines({ stations, flagged }: AreaStations): Generator<string> {
  for (const station of stations) {
    for (const kind of FORM_KINDS) {
      const form = station.forms[kind];
      if (!form) continue;
      const ignored = station.duplicates.filter((d) => d.formKind === kind).length;
      yield csvRow([
        station.identified ? station.key : "",
        form.province,
        form.provinceId,
        form.constituency,
        form.formCode,
        form.district,
        form.subdistrict,
        form.unit,
        form.setNumber,
        kind,
        form.documentId,
        form.path,
        form.status,
        form.counts.eligibleVoters,
        form.counts.votersTurnedUp,
        form.counts.ballotsUsed,
        form.counts.good,
        form.counts.bad,
        form.counts.noVote,
        form.counts.voteTotal,
        sumOfVotes(form),
        unreadCells(form),
        ignored,
        flagged.has(station.key),
        form.approvedAsWritten,
        form.reviewNote,
      ]);
    }
  }
}
