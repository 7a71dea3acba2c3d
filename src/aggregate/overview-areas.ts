import type { FormKind } from "../forms/form-kind.js";
import type { Status } from "../forms/form-result.js";
import type { Reference } from "../reference/reference.js";
import { type Anomaly, areaAnomalies, rankAnomalies } from "./anomalies.js";
import { type AreaTotals, emptyAreaTotals, type KindTotals } from "./area-totals.js";
import { type AreaForms, areaForms, type ComparedConstituency, compareAreas, type Discrepancy } from "./compare-official.js";
import type { Coverage } from "./coverage.js";
import { type ExplainedSummary, type FormSummary, withoutTexts } from "./form-summary.js";
import { checkPairs, type PairingFlag } from "./pairing.js";
import { type ConstituencyAggregate, rollUp, rollUpProvinces } from "./rollup.js";
import { areaKey } from "./station-key.js";
import { compareForms, type DuplicateKind, groupStations, type StationGrouping } from "./stations.js";

/**
 * The results page's overview, built per constituency. A station never spans two constituencies,
 * so everything the overview shows (sums, station counts, duplicates, pairs, outliers, the forms
 * behind a discrepancy) is the combination of one part per constituency, each computed from that
 * constituency's forms alone. The store keeps the parts and recomputes only the constituencies a
 * write touched; the combination (overviewSourceOf) is a few hundred small parts at national size.
 *
 * Order matters where the batch analysis breaks ties by "first seen": every form carries its
 * place in the batch (`order`: stored results in document order, then documents refused before
 * they were read), and the parts keep it, so the combination gives exactly the batch analysis's
 * answer (test/unit/aggregate/overview-areas.test.ts).
 */

/** The part of the stations whose province or constituency is unknown (summed nationally only). */
export const UNASSIGNED_AREA = "";

export interface OrderedForm {
  readonly order: number;
  readonly form: FormSummary;
}

/** The part a form belongs to; null for a form of unknown kind (counted as a document, never summed). */
export function overviewAreaOf(form: FormSummary): string | null {
  return form.formKind === null ? null : (areaKey(form) ?? UNASSIGNED_AREA);
}

export interface FormRef {
  readonly documentId: string;
  readonly path: string;
}

export interface DuplicateLine {
  readonly kind: DuplicateKind;
  readonly counted: FormRef;
  readonly ignored: FormRef;
  readonly differences: readonly string[];
}

export interface PairLine {
  readonly stationKey: string;
  readonly constituencyBallots: number;
  readonly partyListBallots: number;
  readonly difference: number;
}

export interface AnomalyLine {
  readonly constituencyKey: string;
  readonly metric: string;
  readonly row: number | null;
  readonly value: number;
  readonly median: number;
  readonly score: number;
  readonly form: FormRef;
}

/** KindTotals as JSON: the maps as entry lists, in their order. */
export interface StoredKindTotals {
  readonly forms: number;
  readonly ballotsUsed: number;
  readonly good: number;
  readonly bad: number;
  readonly noVote: number;
  readonly eligibleVoters: number;
  readonly votersTurnedUp: number;
  readonly votes: readonly (readonly [number, number])[];
  readonly unknown: readonly (readonly [string, number])[];
  readonly completeForms: number;
  readonly completeVotes: readonly (readonly [number, number])[];
}

/** One constituency's share of the overview (plain JSON, kept by the store). */
export interface AreaPart {
  /** "PRE_1", or UNASSIGNED_AREA. */
  readonly key: string;
  /** The order of the constituency's first form. */
  readonly order: number;
  readonly provinceKey: string | null;
  readonly province: string | null;
  readonly provinceId: string | null;
  readonly constituency: number | null;
  readonly stations: number;
  readonly totals: Record<FormKind, StoredKindTotals>;
  readonly forms: Record<FormKind, AreaForms>;
  /** Each with the order of the form whose arrival made it a duplicate. */
  readonly duplicates: readonly (DuplicateLine & { readonly order: number })[];
  /** Each with the order of its station's first form. */
  readonly pairs: readonly (PairLine & { readonly order: number })[];
  /** In the order they are looked for. */
  readonly anomalies: readonly AnomalyLine[];
}

/** What a store answers: its counts, and one part per constituency with forms. */
export interface StoredOverview {
  readonly documents: number;
  readonly statusCounts: Record<Status, number>;
  readonly areas: readonly AreaPart[];
  /** The same content read twice (only when results are given as a list; a store holds one per document). */
  readonly contentCopies?: readonly (DuplicateLine & { readonly order: number })[];
}

/** What the overview shows, before it is shaped for the page (web/overview.ts). */
export interface OverviewSource {
  readonly documents: number;
  readonly statusCounts: Record<Status, number>;
  readonly areas: readonly {
    readonly key: string;
    readonly province: string | null;
    readonly constituency: number;
    readonly stations: number;
    readonly totals: AreaTotals;
  }[];
  readonly national: AreaTotals;
  readonly coverage: Record<FormKind, Coverage>;
  /** Ranked, most severe first. */
  readonly discrepancies: readonly Discrepancy[];
  readonly notCompared: number;
  readonly duplicates: readonly DuplicateLine[];
  readonly pairs: readonly PairLine[];
  readonly anomalies: readonly AnomalyLine[];
}

const ref = (form: FormSummary): FormRef => ({ documentId: form.documentId, path: form.path });

/** What the overview and the batch analysis both work out of one part, from its forms alone. */
export interface PartAnalysis {
  readonly grouping: StationGrouping;
  /** Largest difference first, ties in station order. */
  readonly pairs: PairingFlag[];
  /** The constituency; undefined for UNASSIGNED_AREA (and for forms of unknown kind). */
  readonly area: ConstituencyAggregate | undefined;
  /** The constituency's sums, or the part's sums without one. */
  readonly totals: AreaTotals;
  readonly forms: Record<FormKind, AreaForms>;
  /** In the order they are looked for (kind, metric, row, station). */
  readonly anomalies: Anomaly[];
}

/** One part's stations, pairs, sums, forms for the comparison and outliers (forms in batch order, all with overviewAreaOf = key). */
export function analysePart(key: string, forms: readonly FormSummary[]): PartAnalysis {
  const grouping = groupStations(forms);
  const rollup = rollUp(grouping.stations);
  const area = key === UNASSIGNED_AREA ? undefined : rollup.constituencies.get(key);
  return {
    grouping,
    pairs: checkPairs(grouping.stations),
    area,
    totals: area?.totals ?? rollup.unassigned,
    forms: { constituency: areaForms(grouping.stations, "constituency"), party_list: areaForms(grouping.stations, "party_list") },
    anomalies: area ? areaAnomalies(area) : [],
  };
}

/** One constituency's part, from its forms in batch order (all with overviewAreaOf = key). */
export function analyseArea(key: string, forms: readonly OrderedForm[]): AreaPart {
  const {
    grouping,
    pairs,
    area,
    totals,
    forms: comparedForms,
    anomalies,
  } = analysePart(
    key,
    forms.map((f) => f.form),
  );
  // A station's place is its first form's: every form grouped into it is counted or a duplicate.
  // Only duplicates and pairs need a form's order: most constituencies have neither.
  const orderOf = new Map<string, number>();
  if (grouping.duplicates.length > 0 || pairs.length > 0) for (const { order, form } of forms) orderOf.set(form.documentId, order);
  const byKey = new Map(pairs.length === 0 ? [] : grouping.stations.map((s) => [s.key, s]));
  const stationOrder = (key: string): number => {
    const station = byKey.get(key);
    const grouped = station ? [...Object.values(station.forms), ...station.duplicates] : [];
    return Math.min(...grouped.map((form) => orderOf.get(form.documentId) ?? 0));
  };
  const first = forms[0]?.form;
  return {
    key,
    order: forms[0]?.order ?? 0,
    provinceKey: area?.provinceKey ?? null,
    province: area?.province ?? first?.province ?? null,
    provinceId: area?.provinceId ?? null,
    constituency: area?.constituency ?? null,
    stations: grouping.stations.length,
    totals: { constituency: encodeKindTotals(totals.constituency), party_list: encodeKindTotals(totals.party_list) },
    forms: comparedForms,
    duplicates: grouping.duplicates.map((d) => ({
      kind: d.kind,
      counted: ref(d.counted),
      ignored: ref(d.ignored),
      differences: d.differences,
      order: Math.max(orderOf.get(d.counted.documentId) ?? 0, orderOf.get(d.ignored.documentId) ?? 0),
    })),
    pairs: pairs.map((p) => ({
      stationKey: p.stationKey,
      constituencyBallots: p.constituencyBallots,
      partyListBallots: p.partyListBallots,
      difference: p.difference,
      order: stationOrder(p.stationKey),
    })),
    anomalies: anomalies.map((a) => ({
      constituencyKey: a.constituencyKey,
      metric: a.metric,
      row: a.row,
      value: a.value,
      median: a.median,
      score: a.score,
      form: ref(a.form),
    })),
  };
}

/**
 * The stored overview of forms held in memory (the memory store, a list of results): forms in
 * batch order, explained or not.
 */
export function storedOverviewOf(
  forms: Iterable<{ readonly order: number; readonly form: FormSummary | ExplainedSummary }>,
): StoredOverview {
  const statusCounts: Record<Status, number> = { verified: 0, needs_review: 0, failed: 0 };
  const byArea = new Map<string, OrderedForm[]>();
  const seen = new Map<string, FormSummary>();
  const contentCopies: (DuplicateLine & { order: number })[] = [];
  let documents = 0;
  for (const { order, form: given } of forms) {
    const form = "reasons" in given ? withoutTexts(given) : given;
    documents += 1;
    statusCounts[form.status] += 1;
    const same = seen.get(form.documentId);
    if (same) {
      contentCopies.push({ kind: "same_content", counted: ref(same), ignored: ref(form), differences: compareForms(same, form), order });
      continue;
    }
    seen.set(form.documentId, form);
    const area = overviewAreaOf(form);
    if (area === null) continue;
    let list = byArea.get(area);
    if (!list) {
      list = [];
      byArea.set(area, list);
    }
    list.push({ order, form });
  }
  const areas = [...byArea].map(([key, list]) => analyseArea(key, list));
  return { documents, statusCounts, areas, contentCopies };
}

/** The overview's content from the parts: the same as the batch analysis over all the forms. */
export function overviewSourceOf(stored: StoredOverview, reference?: Reference): OverviewSource {
  const parts = [...stored.areas].sort((a, b) => a.order - b.order);
  const constituencies = new Map<
    string,
    ComparedConstituency & { readonly provinceKey: string; readonly province: string | null; readonly stations: number }
  >();
  let unassigned = emptyAreaTotals();
  for (const part of parts) {
    const totals: AreaTotals = {
      constituency: decodeKindTotals(part.totals.constituency),
      party_list: decodeKindTotals(part.totals.party_list),
    };
    if (part.key === UNASSIGNED_AREA || part.provinceKey === null || part.constituency === null) {
      unassigned = totals;
      continue;
    }
    constituencies.set(part.key, {
      key: part.key,
      provinceKey: part.provinceKey,
      province: part.province,
      provinceId: part.provinceId,
      constituency: part.constituency,
      stations: part.stations,
      totals,
      forms: part.forms,
    });
  }
  const { provinces, national } = rollUpProvinces(constituencies.values(), unassigned);
  const comparison = compareAreas({ constituencies, provinces, national }, reference);
  const duplicates = [...(stored.contentCopies ?? []), ...parts.flatMap((part) => part.duplicates)].sort((a, b) => a.order - b.order);
  const pairs = parts.flatMap((part) => part.pairs).sort((a, b) => Math.abs(b.difference) - Math.abs(a.difference) || a.order - b.order);
  return {
    documents: stored.documents,
    statusCounts: { ...stored.statusCounts },
    areas: [...constituencies.values()].map((area) => ({
      key: area.key,
      province: area.province,
      constituency: area.constituency,
      stations: area.stations,
      totals: area.totals,
    })),
    national,
    coverage: comparison.coverage.national,
    discrepancies: comparison.discrepancies,
    notCompared: comparison.notCompared.length,
    duplicates: duplicates.map(({ order: _order, ...line }) => line),
    pairs: pairs.map(({ order: _order, ...line }) => line),
    anomalies: rankAnomalies(parts.flatMap((part) => part.anomalies)),
  };
}

export function encodeKindTotals(totals: KindTotals): StoredKindTotals {
  return { ...totals, votes: [...totals.votes], unknown: [...totals.unknown], completeVotes: [...totals.completeVotes] };
}

export function decodeKindTotals(stored: StoredKindTotals): KindTotals {
  return { ...stored, votes: new Map(stored.votes), unknown: new Map(stored.unknown), completeVotes: new Map(stored.completeVotes) };
}
