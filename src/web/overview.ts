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
import { summariseForm, withoutTexts } from "../aggregate/form-summary.js";
import {
  type OrderedForm,
  type OverviewSource,
  type StoredOverview,
  overviewSourceOf,
  storedOverviewOf,
} from "../aggregate/overview-areas.js";
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
 * The overview of results given one by one (an array, or any stream): the same definition as the
 * store's (Store.overviewAreas), computed here in memory.
 */
export async function collectOverview(
  results: Iterable<FormResult> | AsyncIterable<FormResult>,
  reference?: Reference,
  displayPath: (path: string) => string = (p) => p,
): Promise<Overview> {
  const forms: OrderedForm[] = [];
  for await (const result of results) forms.push({ order: forms.length, form: withoutTexts(summariseForm(result)) });
  return overviewOf(overviewSourceOf(storedOverviewOf(forms), reference), displayPath);
}

/** The overview from a store's parts (Store.overviewAreas). */
export function storeOverview(stored: StoredOverview, reference?: Reference, displayPath: (path: string) => string = (p) => p): Overview {
  return overviewOf(overviewSourceOf(stored, reference), displayPath);
}

/** Shapes the overview's content for the page (lists cut to their first LIST_LIMIT). */
export function overviewOf(source: OverviewSource, displayPath: (path: string) => string): Overview {
  const link = (form: { documentId: string; path: string }): FormLink => ({
    id: form.documentId,
    path: displayPath(form.path),
  });
  const perKind = <T>(make: (kind: (typeof FORM_KINDS)[number]) => T): Record<string, T> =>
    Object.fromEntries(FORM_KINDS.map((kind) => [kind, make(kind)]));
  const areas = [...source.areas]
    .sort((a, b) => a.key.localeCompare(b.key, "th"))
    .map((area) => ({
      key: area.key,
      province: area.province,
      constituency: area.constituency,
      stations: area.stations,
      kinds: perKind((kind) => kindLine(area.totals[kind])),
    }));
  return {
    documents: source.documents,
    statusCounts: source.statusCounts,
    areas,
    national: perKind((kind) => kindLine(source.national[kind])),
    coverage: perKind((kind) => ({
      unitsProcessed: source.coverage[kind].unitsProcessed,
      unitsInReference: source.coverage[kind].unitsInReference,
      complete: source.coverage[kind].complete,
    })),
    discrepancies: source.discrepancies.slice(0, LIST_LIMIT).map((d) => ({
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
    notCompared: source.notCompared,
    duplicates: source.duplicates.slice(0, LIST_LIMIT).map((d) => ({
      kind: d.kind,
      counted: link(d.counted),
      ignored: link(d.ignored),
      differences: d.differences,
    })),
    pairs: source.pairs.slice(0, LIST_LIMIT).map((p) => ({
      stationKey: p.stationKey,
      constituencyBallots: p.constituencyBallots,
      partyListBallots: p.partyListBallots,
      difference: p.difference,
    })),
    anomalies: source.anomalies.slice(0, LIST_LIMIT).map((a) => ({
      area: a.constituencyKey,
      metric: a.metric,
      row: a.row,
      value: a.value,
      median: a.median,
      form: link(a.form),
    })),
  };
}
