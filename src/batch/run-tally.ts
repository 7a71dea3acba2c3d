import type { FormResult } from "../forms/form-result.js";
import type { StatusCounts, Store } from "../storage/store.js";
import type { BatchEvent, ProgressSnapshot, RunEnd } from "./events.js";
import type { StopReason } from "./gate.js";
import { type LiveCounters, ProgressTracker } from "./progress-tracker.js";

/** The documents of one run, as recorded in the store (ids only: memory stays flat). */
export interface BatchMembers {
  /** Each document once, by content hash, in discovery order. */
  readonly ids: readonly string[];
  /** Inputs that never became a document (each recorded with a failed result). */
  readonly rejected: number;
  /** Documents whose content was seen under more than one path. */
  readonly duplicates: number;
}

/** Why a run stopped early: cancelled from outside, or the gate's stop (quota, budget, fatal). */
export type RunStop = { readonly kind: "cancelled" } | StopReason;

export interface RunConclusion {
  readonly end: RunEnd;
  readonly message: string;
  /** ISO time the daily quota resets, for end "quota". */
  readonly quotaResetAt: string | null;
}

/**
 * Counting for one run, shared by the local engine and the queue coordinator: the status counts of
 * the batch's documents, the progress tracker, and committing each finished document (store, the
 * results file, the tracker, and its event), once.
 */
export class RunTally {
  private readonly tracker: ProgressTracker;

  /** `batch` may still grow (discovery alongside processing): report each addition with `discovered`. */
  constructor(
    private readonly store: Store,
    private readonly batch: BatchMembers,
    startedAt: number,
    private readonly emit: (event: BatchEvent) => void,
    private readonly onResult?: (result: FormResult) => void,
  ) {
    const before = this.counts();
    this.tracker = new ProgressTracker(
      () => this.total,
      { verified: before.verified, needsReview: before.needs_review, failed: before.failed },
      startedAt,
    );
  }

  /** Documents in the batch so far, rejected inputs included. */
  get total(): number {
    return this.batch.ids.length + this.batch.rejected;
  }

  /** A member added after construction that was already finished (rejected inputs count as failed). */
  discovered(status: "verified" | "needs_review" | "failed"): void {
    this.tracker.alreadyFinished(status);
  }

  setDiscovering(discovering: boolean): void {
    this.tracker.setDiscovering(discovering);
  }

  /** Status counts of this batch's documents; rejected inputs count as failed. */
  counts(): StatusCounts {
    const counts: StatusCounts = { pending: 0, verified: 0, needs_review: 0, failed: this.batch.rejected };
    for (const id of this.batch.ids) {
      const status = this.store.getDocument(id)?.status;
      if (status) counts[status]++;
    }
    return counts;
  }

  /** Commits a finished document: the store, then the results file, the progress, and its event. */
  record(result: FormResult, at: number): void {
    this.store.saveResult(result);
    this.onResult?.(result);
    this.tracker.finished(result.status, at);
    const documentId = result.document.id;
    const path = result.document.sources[0]?.path ?? documentId;
    if (result.status === "failed") {
      const error = result.error ?? { code: "failed", message: result.reasons.join("; ") || "failed" };
      this.emit({ type: "document_failed", documentId, path, error });
    } else {
      this.emit({ type: "document_finished", documentId, path, status: result.status, reasons: result.reasons });
    }
  }

  snapshot(now: number, live: LiveCounters): ProgressSnapshot {
    return this.tracker.snapshot(now, live);
  }
}

/** The end of a run and its one-line message, from why it stopped and what is left. */
export function concludeRun(stop: RunStop | null, counts: StatusCounts, total: number): RunConclusion {
  const left = `${counts.pending} documents left to process`;
  switch (stop?.kind) {
    case "cancelled":
      return { end: "cancelled", message: `cancelled: ${left}`, quotaResetAt: null };
    case "quota":
      return { end: "quota", message: `${stop.message}; ${left}`, quotaResetAt: new Date(stop.resetAt).toISOString() };
    case "budget":
      return { end: "budget", message: `${stop.message}; ${left}`, quotaResetAt: null };
    case "fatal":
      return { end: "fatal", message: stop.message, quotaResetAt: null };
    case undefined:
      return counts.failed > 0
        ? { end: "completed_with_failures", message: `${counts.failed} of ${total} documents failed`, quotaResetAt: null }
        : { end: "completed", message: `all ${total} documents finished`, quotaResetAt: null };
  }
}

/** A safe event sink: a broken listener must not stop the batch. */
export function safeEmitter(onEvent: (event: BatchEvent) => void): (event: BatchEvent) => void {
  return (event) => {
    try {
      onEvent(event);
    } catch {
      // ignored on purpose
    }
  };
}
