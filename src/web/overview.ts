import { type BatchAnalysis, BatchCollector } from "../aggregate/batch-analysis.js";
import {
  completeRowShares,
  exactSum,
  fieldSum,
  type KindTotals,
  type PartialSum,
  REPORTED_BALLOT_FIELDS,
  type ReportedBallotField,
  unreadRowCells,
} from "../aggregate/area-totals.js";
import type { FormSummary } from "../aggregate/form-summary.js";
import { FORM_KINDS } from "../forms/form-kind.js";
import type { FormResult } from "../forms/form-result.js";
import type { Reference } from "../reference/reference.js";

/** Aggregates, discrepancies and coverage for the results page, as plain JSON. */
export interface Overview {
  readonly documents: number;
  readonly statusCounts: Record<string, number>;
  readonly areas: readonly AreaLine[];
  readonly national: Record<string, KindLine>;
  readonly coverage: Record<string, { unitsProcessed: number; unitsInReference: number | null; complete: boolean }>;
  readonly discrepancies: readonly DiscrepancyLine[];
  readonly notCompared: number;
  readonly duplicates: readonly { kind: string; counted: FormLink; ignored: FormLink; differences: readonly string[] }[];
  readonly pairs: readonly { stationKey: string; constituencyBallots: number; partyListBallots: number; difference: number }[];
  readonly anomalies: readonly { area: string; metric: string; row: number | null; value: number; median: number; form: FormLink }[];
  /** Set on an earlier overview served while a newer one is being built. */
  readonly updating?: boolean;
}

interface FormLink {
  readonly id: string;
  readonly path: string;
}

/**
 * One form kind's sums, honest about unread cells: a sum is a number only when every form's
 * cell was read (else null, with `atLeast` the sum of the cells read and `unread` how many are
 * missing). Votes by row come from the forms with every vote read, and only those.
 */
interface KindLine {
  readonly forms: number;
  readonly ballotsUsed: number | null;
  readonly good: number | null;
  readonly bad: number | null;
  readonly noVote: number | null;
  readonly atLeast: Record<ReportedBallotField, number>;
  readonly unread: Record<ReportedBallotField, number>;
  /** [row number, votes] over the complete forms, most votes first. */
  readonly votes: readonly (readonly [number, number])[];
  /** Forms with every vote row read (what `votes` is summed over), and the others, left out. */
  readonly completeForms: number;
  readonly leftOut: number;
  readonly voteCellsUnread: number;
}

interface AreaLine {
  readonly key: string;
  readonly province: string | null;
  readonly constituency: number;
  readonly stations: number;
  readonly kinds: Record<string, KindLine>;
}

interface DiscrepancyLine {
  readonly level: string;
  readonly area: string;
  readonly kind: string;
  readonly measure: string;
  readonly subject: string | null;
  readonly ours: number;
  readonly official: number;
  readonly difference: number;
  readonly relative: number;
  readonly severity: string;
  readonly forms: readonly FormLink[];
}

const LIST_LIMIT = 100;

function kindLine(totals: KindTotals): KindLine {
  const sums = Object.fromEntries(REPORTED_BALLOT_FIELDS.map((field) => [field, fieldSum(totals, field)])) as Record<
    ReportedBallotField,
    PartialSum
  >;
  const perField = (pick: (sum: PartialSum) => number) =>
    Object.fromEntries(REPORTED_BALLOT_FIELDS.map((field) => [field, pick(sums[field])])) as Record<ReportedBallotField, number>;
  return {
    forms: totals.forms,
    ballotsUsed: exactSum(sums.ballotsUsed),
    good: exactSum(sums.good),
    bad: exactSum(sums.bad),
    noVote: exactSum(sums.noVote),
    atLeast: perField((sum) => sum.known),
    unread: perField((sum) => sum.unread),
    votes: completeRowShares(totals).rows.map((row) => [row.number, row.votes] as const),
    completeForms: totals.completeForms,
    leftOut: totals.forms - totals.completeForms,
    voteCellsUnread: unreadRowCells(totals),
  };
}

/**
 * The overview of a batch, from results read one by one: an array, or the store's results, which
 * yield to the event loop between pages.
 */
export async function collectOverview(
  results: Iterable<FormResult> | AsyncIterable<FormResult>,
  reference?: Reference,
  displayPath: (path: string) => string = (p) => p,
): Promise<Overview> {
  const collector = new BatchCollector();
  for await (const result of results) collector.add(result);
  return overviewOf(collector.analyse(reference), displayPath);
}

function overviewOf(analysis: BatchAnalysis, displayPath: (path: string) => string): Overview {
  const link = (form: FormSummary | { documentId: string; path: string }): FormLink => ({
    id: form.documentId,
    path: displayPath(form.path),
  });
  const perKind = <T>(make: (kind: (typeof FORM_KINDS)[number]) => T): Record<string, T> =>
    Object.fromEntries(FORM_KINDS.map((kind) => [kind, make(kind)]));
  const areas = [...analysis.rollup.constituencies.values()]
    .sort((a, b) => a.key.localeCompare(b.key, "th"))
    .map((area) => ({
      key: area.key,
      province: area.province,
      constituency: area.constituency,
      stations: area.stations.length,
      kinds: perKind((kind) => kindLine(area.totals[kind])),
    }));
  const national = analysis.comparison.coverage.national;
  return {
    documents: analysis.documents,
    statusCounts: analysis.statusCounts,
    areas,
    national: perKind((kind) => kindLine(analysis.rollup.national[kind])),
    coverage: perKind((kind) => ({
      unitsProcessed: national[kind].unitsProcessed,
      unitsInReference: national[kind].unitsInReference,
      complete: national[kind].complete,
    })),
    discrepancies: analysis.comparison.discrepancies.slice(0, LIST_LIMIT).map((d) => ({
      level: d.level,
      area: d.area,
      kind: d.kind,
      measure: d.measure,
      subject: d.subject,
      ours: d.ours,
      official: d.official,
      difference: d.difference,
      relative: d.relative,
      severity: d.severity,
      forms: d.forms.map(link),
    })),
    notCompared: analysis.comparison.notCompared.length,
    duplicates: analysis.grouping.duplicates.slice(0, LIST_LIMIT).map((d) => ({
      kind: d.kind,
      counted: link(d.counted),
      ignored: link(d.ignored),
      differences: d.differences,
    })),
    pairs: analysis.pairs.slice(0, LIST_LIMIT).map((p) => ({
      stationKey: p.stationKey,
      constituencyBallots: p.constituencyBallots,
      partyListBallots: p.partyListBallots,
      difference: p.difference,
    })),
    anomalies: analysis.anomalies.slice(0, LIST_LIMIT).map((a) => ({
      area: a.constituencyKey,
      metric: a.metric,
      row: a.row,
      value: a.value,
      median: a.median,
      form: link(a.form),
    })),
  };
}
