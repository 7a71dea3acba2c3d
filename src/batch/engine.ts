import { setMaxListeners } from "node:events";
import { interruptionResetAt } from "../extract/extract-document.js";
import type { FormResult, ProcessingError } from "../forms/form-result.js";
import type { DiscoveredDocument, PrepareResult } from "../ingest/types.js";
import type { Provider, RateLimitScope } from "../providers/provider.js";
import type { RequestLane, StatusCounts, Store } from "../storage/store.js";
import { type Clock, systemClock, utcDayStart } from "./clock.js";
import type { BatchEvent, ProgressSnapshot, RunEnd } from "./events.js";
import { failedResult } from "./failed-result.js";
import { recordDiscovery } from "./record-discovery.js";
import { BatchGate, type StopReason } from "./gate.js";
import type { DocumentPipeline } from "./pipeline.js";
import { ProgressTracker } from "./progress-tracker.js";
import { RateLimiter, type RateLimits } from "./rate-limiter.js";
import type { RetryPolicy } from "./retry-policy.js";
import { errorMessage } from "../basics/error-message.js";

/** Ceiling on requests in flight when --workers is not given. */
export const DEFAULT_MAX_WORKERS = 32;

export interface BatchOptions {
  readonly inputs: readonly string[];
  readonly limits: RateLimits;
  /** Maximum requests in flight; null = automatic (Little's law) up to DEFAULT_MAX_WORKERS. */
  readonly workers: number | null;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  readonly maxRequests: number | null;
  readonly maxCostUsd: number | null;
  readonly waitForQuota: boolean;
  /** Put documents that failed in an earlier run back in the queue. */
  readonly retryFailed?: boolean;
  /** Documents prepared ahead of the requests (bounded: memory stays flat). Default: follows concurrency, 2..8. */
  readonly prefetch?: number;
  readonly progressIntervalMs?: number;
  /** How long a cancelled run waits for in-flight work to settle before returning. */
  readonly cancelGraceMs?: number;
  /** Hedge the tail (see TailHedge in gate.ts); default on. */
  readonly hedge?: boolean;
}

export interface BatchDeps {
  readonly store: Store;
  readonly pipeline: DocumentPipeline;
  readonly provider: Provider;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Called after each result is committed to the store (the CLI appends it to results.jsonl). */
  readonly onResult?: (result: FormResult) => void;
  /** A second model (--verify-with) with its own client limits; the gate sends it "verify" requests. */
  readonly verifier?: { readonly provider: Provider; readonly limits: RateLimits };
}

export interface BatchSummary {
  readonly end: RunEnd;
  readonly message: string;
  readonly progress: ProgressSnapshot;
  /** When the daily quota resets, for end "quota". */
  readonly quotaResetAt: string | null;
  /** Status counts of this batch's documents (rejected inputs count as failed). */
  readonly counts: StatusCounts;
  readonly rejected: number;
  /** Documents whose content was seen under more than one path. */
  readonly duplicates: number;
  /** The second model's share of the requests and cost, when one was configured. */
  readonly verifier?: { readonly requests: number; readonly costUsd: number };
}

interface Prepared {
  readonly doc: DiscoveredDocument;
  readonly pages: PrepareResult | { readonly ok: false; readonly error: ProcessingError; readonly aborted: true };
}

/**
 * Runs a batch: discover, record every document (deduplicated by content hash), skip what is
 * already finished, and process the rest as fast as the limits allow. Each result is committed
 * to the store as it finishes, so a crash loses at most the requests in flight.
 */
export async function runBatch(
  options: BatchOptions,
  deps: BatchDeps,
  signal: AbortSignal,
  onEvent: (event: BatchEvent) => void,
): Promise<BatchSummary> {
  const clock = deps.clock ?? systemClock;
  const { store, pipeline } = deps;
  const startedAt = clock.now();
  const stopController = new AbortController();
  const runSignal = AbortSignal.any([signal, stopController.signal]);
  setMaxListeners(0, signal, stopController.signal, runSignal);
  const emit = (event: BatchEvent) => {
    try {
      onEvent(event);
    } catch {
      // A broken listener must not stop the batch.
    }
  };

  // 1. Discover and record.
  let discovery: Awaited<ReturnType<DocumentPipeline["discover"]>>;
  try {
    discovery = await pipeline.discover(options.inputs, runSignal);
  } catch (error) {
    if (signal.aborted) return earlyEnd("cancelled", "cancelled during discovery", startedAt, clock);
    throw error;
  }
  const recorded = recordDiscovery(store, discovery, emit, options.retryFailed === true);
  const duplicates = recorded.duplicates;
  const unique = new Map<string, DiscoveredDocument>();
  for (const doc of discovery.documents) if (!unique.has(doc.id)) unique.set(doc.id, doc);
  const batchIds = [...unique.keys()];
  const countBatch = (): StatusCounts => {
    const counts: StatusCounts = { pending: 0, verified: 0, needs_review: 0, failed: discovery.rejected.length };
    for (const id of batchIds) {
      const status = store.getDocument(id)?.status;
      if (status) counts[status]++;
    }
    return counts;
  };
  const before = countBatch();
  const queue = [...unique.values()].filter((d) => store.getDocument(d.id)?.status === "pending");
  const total = batchIds.length + discovery.rejected.length;
  const tracker = new ProgressTracker(
    total,
    { verified: before.verified, needsReview: before.needs_review, failed: before.failed },
    startedAt,
  );
  emit({ type: "run_started", at: new Date(startedAt).toISOString(), total, alreadyDone: total - queue.length, toProcess: queue.length });

  // 2. The shared limiter and gate, restored from what the store knows about today.
  const now = clock.now();
  let pauses = 0;
  const limiterListener = {
    paused: (until: number, scope: RateLimitScope) => {
      pauses++;
      emit({ type: "rate_limited", scope, pauseMs: Math.max(0, until - clock.now()), until: new Date(until).toISOString() });
    },
    resumed: () => emit({ type: "resumed" }),
  };
  const limiter = new RateLimiter({
    limits: options.limits,
    clock,
    restored: restoredLane(store, now, deps.verifier ? "first" : undefined),
    listener: limiterListener,
  });
  // The second model's own limiter: its own rates, 429 pauses and daily quota.
  const verifierLimiter = deps.verifier
    ? new RateLimiter({
        limits: deps.verifier.limits,
        clock,
        restored: restoredLane(store, now, "verify"),
        listener: limiterListener,
      })
    : null;
  const gate = new BatchGate(
    {
      retry: options.retry,
      timeoutMs: options.timeoutMs,
      maxRequests: options.maxRequests,
      maxCostUsd: options.maxCostUsd,
      waitForQuota: options.waitForQuota,
      ...(options.hedge === false ? {} : { hedge: { idle: () => next >= queue.length && ahead.length === 0 } }),
    },
    {
      provider: deps.provider,
      limiter,
      store,
      clock,
      emit,
      ...(deps.random ? { random: deps.random } : {}),
      ...(deps.verifier && verifierLimiter ? { verifier: { provider: deps.verifier.provider, limiter: verifierLimiter } } : {}),
      onStop: (reason) => {
        // Fatal: nothing will work, abort everything. Budget or quota: let requests already sent finish.
        if (reason.kind === "fatal") stopController.abort();
        notify();
      },
    },
  );
  const live = () => ({
    inFlight: gate.stats.inFlight,
    requests: gate.stats.requests,
    retries: gate.stats.retries,
    rateLimitPauses: pauses,
    costUsd: gate.stats.costUsd,
    hedges: gate.stats.hedges,
  });
  const snapshot = () => tracker.snapshot(clock.now(), live());

  // 3. Schedule: Little's law picks how many documents are active, the limiter paces the requests.
  const maxWorkers = Math.max(1, options.workers ?? DEFAULT_MAX_WORKERS);
  const target = (): number => {
    const rate = limiter.effectiveRps;
    if (!Number.isFinite(rate)) return maxWorkers;
    const latencySec = (gate.stats.latencyMs ?? 5_000) / 1000;
    return Math.min(maxWorkers, Math.max(1, Math.ceil(rate * latencySec * 1.2) + 1));
  };
  const prefetchLimit = () => options.prefetch ?? Math.min(8, Math.max(2, Math.ceil(target() / 2)));

  let docsInFlight = 0;
  const running = new Set<Promise<void>>();
  let wake: (() => void) | null = null;
  const notify = () => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };
  runSignal.addEventListener("abort", notify);
  const stopping = () => runSignal.aborted || gate.stopReason !== null;

  const prepareAhead = (doc: DiscoveredDocument): Promise<Prepared> =>
    pipeline.prepare(doc, runSignal).then(
      (pages) => ({ doc, pages }),
      (error: unknown) => ({
        doc,
        pages: runSignal.aborted
          ? { ok: false, error: { code: "cancelled", message: "cancelled" }, aborted: true as const }
          : { ok: false, error: { code: "prepare_failed", message: errorMessage(error) } },
      }),
    );

  const recordResult = (result: FormResult) => {
    store.saveResult(result);
    deps.onResult?.(result);
    const path = result.document.sources[0]?.path ?? result.document.id;
    tracker.finished(result.status, clock.now());
    if (result.status === "failed") {
      emit({
        type: "document_failed",
        documentId: result.document.id,
        path,
        error: result.error ?? { code: "failed", message: result.reasons.join("; ") || "failed" },
      });
    } else {
      emit({ type: "document_finished", documentId: result.document.id, path, status: result.status, reasons: result.reasons });
    }
  };

  const processDocument = async (item: Prepared): Promise<void> => {
    const { doc } = item;
    const started = new Date(clock.now()).toISOString();
    if (!item.pages.ok) {
      if ("aborted" in item.pages || runSignal.aborted) return;
      recordResult(failedResult(doc, item.pages.error, { startedAt: started, finishedAt: started }));
      return;
    }
    emit({ type: "document_started", documentId: doc.id, path: doc.primaryPath });
    let extraction: Awaited<ReturnType<DocumentPipeline["extract"]>>;
    try {
      extraction = await pipeline.extract(doc, item.pages.value, gate, runSignal);
    } catch (error) {
      if (runSignal.aborted) return;
      extraction = {
        kind: "done",
        result: failedResult(doc, { code: "internal_error", message: errorMessage(error) }),
      };
    }
    if (extraction.kind === "interrupted") {
      if (extraction.outcome === "quota" && !gate.stopReason) {
        gate.stop({ kind: "quota", resetAt: interruptionResetAt(extraction, clock.now()), message: extraction.message });
      } else if (extraction.outcome === "fatal" && !gate.stopReason) {
        gate.stop({ kind: "fatal", message: extraction.message });
      }
      return;
    }
    const result = extraction.result;
    // A failure caused by stopping is not a verdict on the document: leave it pending.
    if (result.status === "failed" && (runSignal.aborted || gate.stopReason !== null)) return;
    const sent = gate.requestsFor(doc.id);
    gate.forget(doc.id);
    recordResult({
      ...result,
      provenance: {
        ...result.provenance,
        requests: Math.max(result.provenance.requests, sent),
        attempts: Math.max(result.provenance.attempts, sent),
        startedAt: result.provenance.startedAt ?? started,
        finishedAt: result.provenance.finishedAt ?? new Date(clock.now()).toISOString(),
      },
    });
  };

  const launch = (item: Prepared) => {
    docsInFlight++;
    const task = processDocument(item)
      .catch((error: unknown) => {
        if (!runSignal.aborted) emit({ type: "document_failed", documentId: item.doc.id, path: item.doc.primaryPath, error: { code: "internal_error", message: errorMessage(error) } });
      })
      .finally(() => {
        docsInFlight--;
        running.delete(task);
        notify();
      });
    running.add(task);
  };

  const progressTimer = setInterval(() => emit({ type: "progress", ...snapshot() }), options.progressIntervalMs ?? 1_000);
  progressTimer.unref?.();

  const ahead: Promise<Prepared>[] = [];
  let next = 0;
  const fillPrefetch = () => {
    while (!stopping() && ahead.length < prefetchLimit() && next < queue.length) {
      const doc = queue[next++];
      if (doc) ahead.push(prepareAhead(doc));
    }
  };
  const waitForChange = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  try {
    for (;;) {
      fillPrefetch();
      if (stopping() || ahead.length === 0) break;
      while (!stopping() && (docsInFlight - gate.stats.backingOff >= target() || docsInFlight >= 2 * maxWorkers)) {
        await waitForChange(250);
      }
      if (stopping()) break;
      const item = await ahead.shift();
      if (!item) break;
      fillPrefetch();
      launch(item);
    }
    // Drain: normally wait for everything; when stopping, give in-flight work a short grace.
    if (runSignal.aborted) {
      const grace = options.cancelGraceMs ?? 1_500;
      await Promise.race([Promise.allSettled([...running]), delay(grace)]);
    } else {
      while (running.size > 0) await Promise.allSettled([...running]);
    }
  } finally {
    clearInterval(progressTimer);
    runSignal.removeEventListener("abort", notify);
    limiter.close();
    verifierLimiter?.close();
  }

  const counts = countBatch();
  const progress = snapshot();
  const stop: StopReason | null = gate.stopReason;
  let end: RunEnd;
  let message: string;
  let quotaResetAt: string | null = null;
  if (signal.aborted) {
    end = "cancelled";
    message = `cancelled: ${counts.pending} documents left to process`;
  } else if (stop?.kind === "quota") {
    end = "quota";
    quotaResetAt = new Date(stop.resetAt).toISOString();
    message = `${stop.message}; ${counts.pending} documents left to process`;
  } else if (stop?.kind === "budget") {
    end = "budget";
    message = `${stop.message}; ${counts.pending} documents left to process`;
  } else if (stop?.kind === "fatal") {
    end = "fatal";
    message = stop.message;
  } else if (counts.failed > 0) {
    end = "completed_with_failures";
    message = `${counts.failed} of ${total} documents failed`;
  } else {
    end = "completed";
    message = `all ${total} documents finished`;
  }
  emit({ type: "run_finished", end, message, progress });
  return {
    end,
    message,
    progress,
    quotaResetAt,
    counts,
    rejected: discovery.rejected.length,
    duplicates,
    ...(deps.verifier ? { verifier: { ...gate.verifierStats } } : {}),
  };
}

/** What a lane's limiter starts from: today's requests and the last minute's starts of that lane. */
function restoredLane(store: Store, now: number, lane: RequestLane | undefined) {
  return { todayCount: store.countRequestsSince(utcDayStart(now), lane), recentStarts: store.requestStartsSince(now - 60_000, lane) };
}

function earlyEnd(end: RunEnd, message: string, startedAt: number, clock: Clock): BatchSummary {
  const progress = new ProgressTracker(0, { verified: 0, needsReview: 0, failed: 0 }, startedAt).snapshot(clock.now(), {
    inFlight: 0,
    requests: 0,
    retries: 0,
    rateLimitPauses: 0,
    costUsd: 0,
  });
  return {
    end,
    message,
    progress,
    quotaResetAt: null,
    counts: { pending: 0, verified: 0, needs_review: 0, failed: 0 },
    rejected: 0,
    duplicates: 0,
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

