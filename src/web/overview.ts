import { analyseResults } from "../aggregate/batch-analysis.js";
import type { KindTotals } from "../aggregate/area-totals.js";
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
}

interface FormLink {
  readonly id: string;
  readonly path: string;
}

interface KindLine {
  readonly forms: number;
  readonly ballotsUsed: number;
  readonly good: number;
  readonly bad: number;
  readonly noVote: number;
  /** [row number, votes], most votes first. */
  readonly votes: readonly (readonly [number, number])[];
  readonly unknownValues: number;
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
  return {
    forms: totals.forms,
    ballotsUsed: totals.ballotsUsed,
    good: totals.good,
    bad: totals.bad,
    noVote: totals.noVote,
    votes: [...totals.votes.entries()].sort((a, b) => b[1] - a[1]),
    unknownValues: [...totals.unknown.values()].reduce((a, b) => a + b, 0),
  };
}

export function buildOverview(
  results: readonly FormResult[],
  reference?: Reference,
  displayPath: (path: string) => string = (p) => p,
): Overview {
  const analysis = analyseResults(results, reference);
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
