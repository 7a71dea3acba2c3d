import type { FormKind } from "../forms/form-kind.js";
import type { FormResult, Status } from "../forms/form-result.js";
import type { Reference } from "../reference/reference.js";
import { type Anomaly, rankAnomalies } from "./anomalies.js";
import { type AreaTotals, emptyAreaTotals, mergeAreaTotals } from "./area-totals.js";
import { type AreaForms, type Comparison, compareAreas } from "./compare-official.js";
import { type ContentCopy, type ContentCopyInput, describeContentCopies } from "./content-copies.js";
import { type ExplainedSummary, type FormSummary, summariseForm, withoutTexts } from "./form-summary.js";
import { analysePart, type OrderedForm, overviewAreaOf } from "./overview-areas.js";
import type { PairingFlag } from "./pairing.js";
import { type ReviewItem, ReviewQueue } from "./review-queue.js";
import { type ConstituencyAggregate, type ProvinceAggregate, rollUpProvinces } from "./rollup.js";
import { type Duplicate, groupStations, type Station } from "./stations.js";

/** Confidence bands shown in reports: lower bound and label, highest first. */
export const CONFIDENCE_BANDS = [
  { min: 0.95, label: "0.95–1" },
  { min: 0.8, label: "0.80–0.95" },
  { min: 0.5, label: "0.50–0.80" },
  { min: 0, label: "below 0.50" },
] as const;
export const UNKNOWN_CONFIDENCE_BAND = "not reported";

/** A constituency's sums and station count; its stations are read again on demand (BatchAnalysis.stationsOf). */
export interface AnalysedConstituency extends Omit<ConstituencyAggregate, "stations"> {
  readonly stations: number;
  /** What the comparison with official results needs of its forms. */
  readonly forms: Record<FormKind, AreaForms>;
}

export interface BatchRollup {
  /** In the order their first form was seen. */
  readonly constituencies: Map<string, AnalysedConstituency>;
  readonly provinces: Map<string, ProvinceAggregate>;
  /** Stations whose province or constituency is unknown: in the national sum only. */
  readonly unassigned: AreaTotals;
  readonly national: AreaTotals;
}

/**
 * How many duplicates, pairs and anomalies the analysis keeps of each constituency (the reports
 * list at most this many of each, and a constituency's PDF its own): each list is then exact for
 * its first LISTED_PER_PART, and holds every entry of a batch with fewer. The counts say how many
 * there are in all; stations.csv flags every one.
 */
export const LISTED_PER_PART = 25;

export interface BatchGrouping {
  readonly stations: number;
  /** Stations named by their forms (the others are one form each, keyed by document). */
  readonly identifiedStations: number;
  /** In the order the second report arrived: the first LISTED_PER_PART of each constituency. */
  readonly duplicates: Duplicate[];
  readonly duplicateCount: number;
  /** Forms whose kind (constituency or party-list) is unknown: listed, never summed. */
  readonly unclassified: FormSummary[];
}

export interface BatchAnalysis {
  readonly documents: number;
  readonly statusCounts: Record<Status, number>;
  /** Verified documents that rest on the checks alone (assurance "checks"). */
  readonly verifiedOnChecks: number;
  /** Documents by the band of their lowest cell confidence (CONFIDENCE_BANDS labels). */
  readonly confidenceBands: Map<string, number>;
  readonly grouping: BatchGrouping;
  /** Files with the same content under several paths, read and counted once. */
  readonly contentCopies: ContentCopy[];
  readonly rollup: BatchRollup;
  readonly comparison: Comparison;
  /** Largest difference first: the LISTED_PER_PART largest of each constituency. */
  readonly pairs: PairingFlag[];
  readonly pairCount: number;
  /** Strongest first: the LISTED_PER_PART strongest of each constituency. */
  readonly anomalies: Anomaly[];
  readonly anomalyCount: number;
  readonly reviewQueue: ReviewItem[];
  /** A constituency's stations, in the order their first form was seen (valid while the forms are kept). */
  stationsOf(constituencyKey: string): Station[];
}

/** One part of the batch (a constituency, or the forms without one) as the analysis went past it. */
export interface AreaStations {
  readonly key: string;
  readonly stations: readonly Station[];
  /** Keys of the stations whose two forms disagree on ballots used (see pairing.ts). */
  readonly flagged: ReadonlySet<string>;
}

/**
 * Where a collector keeps the forms until the analysis: grouped by constituency, because a station
 * never spans two, so the analysis needs one constituency's forms at a time (in memory here; the
 * exports keep them on disk, see reports/form-spill.ts).
 */
export interface FormsByPart {
  put(part: string, order: number, form: FormSummary): void;
  /** The parts in the order of their first form. */
  parts(): Iterable<string>;
  /** One part's forms in the order they were put. */
  formsOf(part: string): OrderedForm[];
}

export class FormsInMemory implements FormsByPart {
  readonly #parts = new Map<string, OrderedForm[]>();

  put(part: string, order: number, form: FormSummary): void {
    let list = this.#parts.get(part);
    if (!list) {
      list = [];
      this.#parts.set(part, list);
    }
    list.push({ order, form });
  }

  parts(): Iterable<string> {
    return this.#parts.keys();
  }

  formsOf(part: string): OrderedForm[] {
    return this.#parts.get(part) ?? [];
  }
}

/** The part of forms of unknown kind (area keys hold a "_" or are empty). */
const UNCLASSIFIED_PART = "-";

export function confidenceBand(confidence: number | null): string {
  if (confidence === null) return UNKNOWN_CONFIDENCE_BAND;
  for (const band of CONFIDENCE_BANDS) if (confidence >= band.min) return band.label;
  return UNKNOWN_CONFIDENCE_BAND;
}

/**
 * Collects compact summaries of results as they stream past (see FormSummary), and analyses them
 * one constituency at a time: what it holds for the whole batch is its counts, the top of the
 * review queue, and which part each document went to.
 */
export class BatchCollector {
  readonly statusCounts: Record<Status, number> = { verified: 0, needs_review: 0, failed: 0 };
  readonly confidenceBands = new Map<string, number>();
  private documents = 0;
  private verifiedOnChecks = 0;
  private readonly queue: ReviewQueue;
  /** The part each document went to: the same content seen again goes to the same part, where it is a duplicate. */
  private readonly partOf = new Map<string, string>();

  constructor(
    reviewLimit = 20,
    private readonly forms: FormsByPart = new FormsInMemory(),
    /** LISTED_PER_PART, or more (Infinity keeps every entry: the results page's overview does). */
    private readonly listedPerPart = LISTED_PER_PART,
  ) {
    this.queue = new ReviewQueue(reviewLimit);
  }

  add(result: FormResult): void {
    this.addSummary(summariseForm(result));
  }

  addSummary(explained: ExplainedSummary): void {
    const order = this.documents++;
    this.statusCounts[explained.status] += 1;
    if (explained.status === "verified" && explained.assurance === "checks") this.verifiedOnChecks += 1;
    const band = confidenceBand(explained.minConfidence);
    this.confidenceBands.set(band, (this.confidenceBands.get(band) ?? 0) + 1);
    this.queue.offer(explained);
    const form = withoutTexts(explained);
    let part = this.partOf.get(form.documentId);
    if (part === undefined) {
      part = overviewAreaOf(form) ?? UNCLASSIFIED_PART;
      this.partOf.set(form.documentId, part);
    }
    this.forms.put(part, order, form);
  }

  analyse(reference?: Reference, contentCopies: Iterable<ContentCopyInput> = []): BatchAnalysis {
    const steps = this.analyseByPart(reference, contentCopies);
    for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
  }

  /**
   * The analysis, one part at a time: each part's stations are yielded (the exports write them as
   * they come) and then let go; the return value is the whole batch's analysis.
   */
  *analyseByPart(reference?: Reference, contentCopies: Iterable<ContentCopyInput> = []): Generator<AreaStations, BatchAnalysis> {
    const constituencies = new Map<string, AnalysedConstituency>();
    const unassigned = emptyAreaTotals();
    const duplicates: { duplicate: Duplicate; order: number }[] = [];
    const pairs: { flag: PairingFlag; order: number }[] = [];
    const unclassified: FormSummary[] = [];
    const anomalies: Anomaly[] = [];
    let stations = 0;
    let identifiedStations = 0;
    let duplicateCount = 0;
    let pairCount = 0;
    let anomalyCount = 0;
    let partIndex = 0;
    for (const key of this.forms.parts()) {
      const forms = this.forms.formsOf(key);
      const part = analysePart(
        key,
        forms.map((f) => f.form),
      );
      const { grouping, pairs: flags } = part;
      duplicateCount += grouping.duplicates.length;
      if (grouping.duplicates.length > 0) {
        const orderOf = new Map(forms.map(({ order, form }) => [form, order]));
        for (const duplicate of grouping.duplicates.slice(0, this.listedPerPart)) {
          const order = Math.max(orderOf.get(duplicate.counted) ?? 0, orderOf.get(duplicate.ignored) ?? 0);
          duplicates.push({ duplicate, order });
        }
      }
      unclassified.push(...grouping.unclassified);
      stations += grouping.stations.length;
      identifiedStations += grouping.stations.filter((s) => s.identified).length;
      pairCount += flags.length;
      for (const flag of flags.slice(0, this.listedPerPart)) pairs.push({ flag, order: partIndex });
      anomalyCount += part.anomalies.length;
      anomalies.push(...rankAnomalies(part.anomalies).slice(0, this.listedPerPart));
      if (part.area) {
        const { stations: areaStations, ...rest } = part.area;
        constituencies.set(key, { ...rest, stations: areaStations.length, forms: part.forms });
      } else mergeAreaTotals(unassigned, part.totals);
      partIndex += 1;
      yield { key, stations: grouping.stations, flagged: new Set(flags.map((f) => f.stationKey)) };
    }
    const { provinces, national } = rollUpProvinces(constituencies.values(), unassigned);
    const rollup: BatchRollup = { constituencies, provinces, unassigned, national };
    const forms = this.forms;
    return {
      documents: this.documents,
      statusCounts: { ...this.statusCounts },
      verifiedOnChecks: this.verifiedOnChecks,
      confidenceBands: new Map(this.confidenceBands),
      grouping: {
        stations,
        identifiedStations,
        duplicates: duplicates.sort((a, b) => a.order - b.order).map((d) => d.duplicate),
        duplicateCount,
        unclassified,
      },
      contentCopies: describeContentCopies(contentCopies),
      rollup,
      comparison: compareAreas(rollup, reference),
      // Largest difference first; ties in the order of their constituencies, then their stations.
      pairs: pairs.sort((a, b) => Math.abs(b.flag.difference) - Math.abs(a.flag.difference) || a.order - b.order).map((p) => p.flag),
      pairCount,
      anomalies: rankAnomalies(anomalies),
      anomalyCount,
      reviewQueue: this.queue.top(),
      stationsOf: (key) => groupStations(forms.formsOf(key).map((f) => f.form)).stations,
    };
  }
}

export function analyseResults(
  results: Iterable<FormResult>,
  reference?: Reference,
  reviewLimit = 20,
  listedPerPart = LISTED_PER_PART,
): BatchAnalysis {
  const collector = new BatchCollector(reviewLimit, new FormsInMemory(), listedPerPart);
  for (const result of results) collector.add(result);
  return collector.analyse(reference);
}
