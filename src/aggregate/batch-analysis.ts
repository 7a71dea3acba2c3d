import type { FormResult, Status } from "../forms/form-result.js";
import type { Reference } from "../reference/reference.js";
import { type Anomaly, findAnomalies } from "./anomalies.js";
import { type Comparison, compareWithOfficial } from "./compare-official.js";
import { type ContentCopy, type ContentCopyInput, describeContentCopies } from "./content-copies.js";
import { type ExplainedSummary, type FormSummary, summariseForm, withoutTexts } from "./form-summary.js";
import { checkPairs, type PairingFlag } from "./pairing.js";
import { type ReviewItem, ReviewQueue } from "./review-queue.js";
import { type Rollup, rollUp } from "./rollup.js";
import { groupStations, type StationGrouping } from "./stations.js";

/** Confidence bands shown in reports: lower bound and label, highest first. */
export const CONFIDENCE_BANDS = [
  { min: 0.95, label: "0.95–1" },
  { min: 0.8, label: "0.80–0.95" },
  { min: 0.5, label: "0.50–0.80" },
  { min: 0, label: "below 0.50" },
] as const;
export const UNKNOWN_CONFIDENCE_BAND = "not reported";

export interface BatchAnalysis {
  readonly documents: number;
  readonly statusCounts: Record<Status, number>;
  /** Verified documents that rest on the checks alone (assurance "checks"). */
  readonly verifiedOnChecks: number;
  /** Documents by the band of their lowest cell confidence (CONFIDENCE_BANDS labels). */
  readonly confidenceBands: Map<string, number>;
  readonly grouping: StationGrouping;
  /** Files with the same content under several paths, read and counted once. */
  readonly contentCopies: ContentCopy[];
  readonly rollup: Rollup;
  readonly comparison: Comparison;
  readonly pairs: PairingFlag[];
  readonly anomalies: Anomaly[];
  readonly reviewQueue: ReviewItem[];
}

export function confidenceBand(confidence: number | null): string {
  if (confidence === null) return UNKNOWN_CONFIDENCE_BAND;
  for (const band of CONFIDENCE_BANDS) if (confidence >= band.min) return band.label;
  return UNKNOWN_CONFIDENCE_BAND;
}

/** Collects compact summaries of results as they stream past (see FormSummary). */
export class BatchCollector {
  readonly forms: FormSummary[] = [];
  readonly statusCounts: Record<Status, number> = { verified: 0, needs_review: 0, failed: 0 };
  private verifiedOnChecks = 0;
  readonly confidenceBands = new Map<string, number>();
  private readonly queue: ReviewQueue;

  constructor(reviewLimit = 20) {
    this.queue = new ReviewQueue(reviewLimit);
  }

  add(result: FormResult): void {
    this.addSummary(summariseForm(result));
  }

  addSummary(form: ExplainedSummary): void {
    this.forms.push(withoutTexts(form));
    this.statusCounts[form.status] += 1;
    if (form.status === "verified" && form.assurance === "checks") this.verifiedOnChecks += 1;
    const band = confidenceBand(form.minConfidence);
    this.confidenceBands.set(band, (this.confidenceBands.get(band) ?? 0) + 1);
    this.queue.offer(form);
  }

  analyse(reference?: Reference, contentCopies: Iterable<ContentCopyInput> = []): BatchAnalysis {
    const grouping = groupStations(this.forms);
    const rollup = rollUp(grouping.stations);
    return {
      documents: this.forms.length,
      statusCounts: { ...this.statusCounts },
      verifiedOnChecks: this.verifiedOnChecks,
      confidenceBands: new Map(this.confidenceBands),
      grouping,
      contentCopies: describeContentCopies(contentCopies),
      rollup,
      comparison: compareWithOfficial(rollup, reference),
      pairs: checkPairs(grouping.stations),
      anomalies: findAnomalies(rollup.constituencies.values()),
      reviewQueue: this.queue.top(),
    };
  }
}

export function analyseResults(results: Iterable<FormResult>, reference?: Reference, reviewLimit = 20): BatchAnalysis {
  const collector = new BatchCollector(reviewLimit);
  for (const result of results) collector.add(result);
  return collector.analyse(reference);
}
