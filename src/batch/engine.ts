import { setMaxListeners } from "node:events";
import { interruptionResetAt } from "../extract/extract-document.js";
import { errorMessage } from "../basics/error-message.js";
import type { FormResult, ProcessingError } from "../forms/form-result.js";
import { EMPTY_PATH_METADATA } from "../forms/path-metadata.js";
import type { DiscoveredDocument, PrepareResult } from "../ingest/types.js";
import type { Provider } from "../providers/provider.js";
import type { DocumentRecord, RequestLane, StatusCounts, Store } from "../storage/store.js";
import { type Clock, sleep, systemClock, utcDayStart } from "./clock.js";
import type { BatchEvent, ProgressSnapshot, RunEnd } from "./events.js";
import { failedResult } from "../forms/failed-result.js";
import { BatchGate } from "./gate.js";
import type { Limiter } from "./limiter.js";
import type { DocumentPipeline } from "./pipeline.js";
import type { LiveCounters } from "./progress-tracker.js";
import { RateLimiter, type RateLimits } from "./rate-limiter.js";
import { asOneChunk, DiscoveryFeed } from "./discovery-feed.js";
import type { RetryPolicy } from "./retry-policy.js";
import { concludeRun, type RunStop, type RunTally, safeEmitter } from "./run-tally.js";

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

/** What every step of a run shares. Mutable state lives in the Scheduler alone. */
interface RunContext {
  readonly options: BatchOptions;
  readonly deps: BatchDeps;
  readonly clock: Clock;
  /** The caller's signal, or a fatal stop. */
  readonly signal: AbortSignal;
  readonly emit: (event: BatchEvent) => void;
  readonly tally: RunTally;
  /** The queue of documents to process, growing while discovery runs. */
  readonly feed: DiscoveryFeed;
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
  const startedAt = clock.now();
  const fatalStop = new AbortController();
  const runSignal = AbortSignal.any([signal, fatalStop.signal]);
  setMaxListeners(0, signal, fatalStop.signal, runSignal);
  const emit = safeEmitter(onEvent);

  // 1. Discovery runs alongside the processing (below): the first documents are sent while later
  // folders are still being hashed.
  const feed = new DiscoveryFeed({
    store: deps.store,
    retryFailed: options.retryFailed === true,
    startedAt,
    emit,
    ...(deps.onResult ? { onResult: deps.onResult } : {}),
  });
  const { tally } = feed;
  // 2. The shared limiter and gate, restored from what the store knows about today.
  const context: RunContext = { options, deps, clock, signal: runSignal, emit, tally, feed };
  let pauses = 0;
  const limiter = createLimiter(context, context.options.limits, deps.verifier ? "first" : undefined, () => pauses++);
  // The second model's own limiter: its own rates, 429 pauses and daily quota.
  const verifierLimiter = deps.verifier ? createLimiter(context, deps.verifier.limits, "verify", () => pauses++) : null;
  const scheduler = new Scheduler(context, limiter);
  const gate = new BatchGate(
    {
      retry: options.retry,
      timeoutMs: options.timeoutMs,
      maxRequests: options.maxRequests,
      maxCostUsd: options.maxCostUsd,
      waitForQuota: options.waitForQuota,
      ...(options.cancelGraceMs !== undefined ? { cancelGraceMs: options.cancelGraceMs } : {}),
      ...(options.hedge === false ? {} : { hedge: { idle: () => scheduler.allStarted } }),
    },
    {
      provider: deps.provider,
      limiter,
      store: deps.store,
      clock,
      emit,
      ...(deps.random ? { random: deps.random } : {}),
      ...(deps.verifier && verifierLimiter ? { verifier: { provider: deps.verifier.provider, limiter: verifierLimiter } } : {}),
      onStop: (reason) => {
        // Fatal: nothing will work, abort everything. Budget or quota: let requests already sent finish.
        if (reason.kind === "fatal") fatalStop.abort();
        scheduler.notify();
      },
    },
  );
  const live = (): LiveCounters => ({
    inFlight: gate.stats.inFlight,
    requests: gate.stats.requests,
    retries: gate.stats.retries,
    rateLimitPauses: pauses,
    costUsd: gate.stats.costUsd,
    hedges: gate.stats.hedges,
    reusedReplies: gate.stats.reusedReplies,
  });

  // 3. Discover and schedule the documents.
  const progressTimer = setInterval(() => {
    if (feed.announced) emit({ type: "progress", ...tally.snapshot(clock.now(), live()) });
  }, options.progressIntervalMs ?? 1_000);
  progressTimer.unref?.();
  const { pipeline } = deps;
  const chunks = pipeline.discoverByFolder?.(options.inputs, runSignal) ?? asOneChunk(pipeline.discover(options.inputs, runSignal));
  const discovery = feed
    .record(chunks, () => scheduler.notify(), runSignal)
    .then(() => {
      // A discovery that fails outright (not per file) stops the run; it is thrown once in-flight work settles.
      if (feed.failure) fatalStop.abort();
    });
  try {
    await scheduler.run(gate);
    await discovery;
  } finally {
    clearInterval(progressTimer);
    limiter.close();
    verifierLimiter?.close();
  }
  if (feed.failure) throw feed.failure.error;
  feed.announce();

  // 4. Conclude.
  const counts = tally.counts();
  const progress = tally.snapshot(clock.now(), live());
  const stop: RunStop | null = signal.aborted ? { kind: "cancelled" } : gate.stopReason;
  const { end, message, quotaResetAt } = concludeRun(stop, counts, tally.total);
  emit({ type: "run_finished", end, message, progress });
  return {
    end,
    message,
    progress,
    quotaResetAt,
    counts,
    rejected: feed.rejected,
    duplicates: feed.duplicates,
    ...(deps.verifier ? { verifier: { ...gate.verifierStats } } : {}),
  };
}

/** A pending document as the store recorded it (discovery found it at these paths in this run). */
function storedDocument(record: DocumentRecord): DiscoveredDocument | null {
  if (record.container === "unknown") return null;
  return {
    id: record.id,
    container: record.container,
    sources: record.sources,
    primaryPath: record.primaryPath,
    pathMetadata: record.pathMetadata ?? EMPTY_PATH_METADATA,
  };
}

/**
 * Step 2: the one limiter for every request of a lane (the run's model, or the second model),
 * seeded with that lane's requests of today and of the last minute from the store.
 */
function createLimiter(context: RunContext, limits: RateLimits, lane: RequestLane | undefined, onPause: () => void): Limiter {
  const { clock, deps, emit } = context;
  const { store } = deps;
  const now = clock.now();
  return new RateLimiter({
    limits,
    clock,
    restored: { todayCount: store.countRequestsSince(utcDayStart(now), lane), recentStarts: store.requestStartsSince(now - 60_000, lane) },
    listener: {
      paused: (until, scope) => {
        onPause();
        emit({ type: "rate_limited", scope, pauseMs: Math.max(0, until - clock.now()), until: new Date(until).toISOString() });
      },
      resumed: () => emit({ type: "resumed" }),
    },
  });
}

/**
 * Step 3: Little's law picks how many documents are active, the limiter paces their requests.
 * Documents are prepared a few ahead (bounded: memory stays flat), launched while fewer than the
 * target are active (those waiting out a backoff do not count), and drained at the end.
 */
class Scheduler {
  private readonly maxWorkers: number;
  private readonly running = new Set<Promise<void>>();
  private readonly ahead: Promise<Prepared>[] = [];
  private next = 0;
  private docsInFlight = 0;
  private wake: (() => void) | null = null;
  private gate: BatchGate | null = null;

  constructor(
    private readonly context: RunContext,
    private readonly limiter: Limiter,
  ) {
    this.maxWorkers = Math.max(1, context.options.workers ?? DEFAULT_MAX_WORKERS);
  }

  /** Every document has been handed to preparation: nothing new will want a request slot. */
  get allStarted(): boolean {
    return this.context.feed.complete && this.next >= this.context.feed.length && this.ahead.length === 0;
  }

  /** Something changed (a document finished, the gate stopped): look again now. */
  readonly notify = (): void => {
    const resolve = this.wake;
    this.wake = null;
    resolve?.();
  };

  async run(gate: BatchGate): Promise<void> {
    this.gate = gate;
    const { signal } = this.context;
    signal.addEventListener("abort", this.notify);
    try {
      for (;;) {
        this.fillPrefetch();
        if (this.stopping()) break;
        if (this.ahead.length === 0) {
          if (this.context.feed.complete && this.next >= this.context.feed.length) break;
          // Discovery has more to record: it wakes us with each chunk.
          await this.waitForChange(250);
          continue;
        }
        while (!this.stopping() && this.saturated()) await this.waitForChange(250);
        if (this.stopping()) break;
        const item = await this.ahead.shift();
        if (!item) break;
        this.fillPrefetch();
        this.launch(item, gate);
      }
      await this.drain();
    } finally {
      signal.removeEventListener("abort", this.notify);
    }
  }

  private stopping(): boolean {
    return this.context.signal.aborted || this.gate?.stopReason != null;
  }

  /** Documents active right now, against the target (those in backoff or on a likely hung request hold no slot). */
  private saturated(): boolean {
    const waiting = (this.gate?.stats.backingOff ?? 0) + (this.gate?.stats.overdue ?? 0);
    return this.docsInFlight - waiting >= this.target() || this.docsInFlight >= 2 * this.maxWorkers;
  }

  private target(): number {
    const rate = this.limiter.effectiveRps;
    if (!Number.isFinite(rate)) return this.maxWorkers;
    const latencySec = (this.gate?.stats.latencyMs ?? 5_000) / 1000;
    return Math.min(this.maxWorkers, Math.max(1, Math.ceil(rate * latencySec * 1.2) + 1));
  }

  private prefetchLimit(): number {
    return this.context.options.prefetch ?? Math.min(8, Math.max(2, Math.ceil(this.target() / 2)));
  }

  private fillPrefetch(): void {
    while (!this.stopping() && this.ahead.length < this.prefetchLimit() && this.next < this.context.feed.length) {
      const doc = this.documentAt(this.next++);
      if (doc) this.ahead.push(prepareAhead(this.context, doc));
    }
  }

  private documentAt(index: number): DiscoveredDocument | null {
    const id = this.context.feed.at(index);
    if (id === undefined) return null;
    const moved = this.context.feed.moved(id);
    if (moved) return moved;
    const record = this.context.deps.store.getDocument(id);
    return record && record.status === "pending" ? storedDocument(record) : null;
  }

  private launch(item: Prepared, gate: BatchGate): void {
    this.context.feed.announce();
    this.docsInFlight++;
    const { signal, emit } = this.context;
    const task = processDocument(this.context, item, gate)
      .catch((error: unknown) => {
        if (!signal.aborted)
          emit({
            type: "document_failed",
            documentId: item.doc.id,
            path: item.doc.primaryPath,
            error: { code: "internal_error", message: errorMessage(error) },
          });
      })
      .finally(() => {
        this.docsInFlight--;
        this.running.delete(task);
        this.notify();
      });
    this.running.add(task);
  }

  private waitForChange(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /**
   * Normally wait for everything; when cancelled, give in-flight work a short grace, and requests
   * on the wire the same grace to answer (the gate keeps what they bring for the next run).
   */
  private async drain(): Promise<void> {
    if (this.context.signal.aborted) {
      const grace = this.context.options.cancelGraceMs ?? 1_500;
      const { clock } = this.context;
      await Promise.race([Promise.allSettled([...this.running]), sleep(clock, grace)]);
      // Documents have let go by now; what they left on the wire settles within its own grace.
      if (this.gate) await Promise.race([this.gate.lingered(), sleep(clock, grace + 100)]);
      return;
    }
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

/** Preparation never rejects: a failure becomes a per-document error (or "aborted" on cancel). */
function prepareAhead(context: RunContext, doc: DiscoveredDocument): Promise<Prepared> {
  const { signal } = context;
  return context.deps.pipeline.prepare(doc, signal).then(
    (pages) => ({ doc, pages }),
    (error: unknown) => ({
      doc,
      pages: signal.aborted
        ? { ok: false, error: { code: "cancelled", message: "cancelled" }, aborted: true as const }
        : { ok: false, error: { code: "prepare_failed", message: errorMessage(error) } },
    }),
  );
}

/** One document: prepared pages → extraction through the gate → its result committed (or left pending). */
async function processDocument(context: RunContext, item: Prepared, gate: BatchGate): Promise<void> {
  const { clock, signal, tally, emit } = context;
  const { doc } = item;
  const started = new Date(clock.now()).toISOString();
  if (!item.pages.ok) {
    if ("aborted" in item.pages || signal.aborted) return;
    tally.record(failedResult(doc, item.pages.error, { startedAt: started, finishedAt: started }), clock.now());
    return;
  }
  emit({ type: "document_started", documentId: doc.id, path: doc.primaryPath });
  let extraction: Awaited<ReturnType<DocumentPipeline["extract"]>>;
  try {
    extraction = await context.deps.pipeline.extract(doc, item.pages.value, gate, signal);
  } catch (error) {
    if (signal.aborted) return;
    extraction = { kind: "done", result: failedResult(doc, { code: "internal_error", message: errorMessage(error) }) };
  }
  if (extraction.kind === "interrupted") {
    stopForInterruption(gate, extraction, clock.now());
    return;
  }
  const result = extraction.result;
  // A failure caused by stopping is not a verdict on the document: leave it pending.
  if (result.status === "failed" && (signal.aborted || gate.stopReason !== null)) return;
  tally.record(withRequestCounts(result, doc.id, gate, started, clock.now()), clock.now());
}

/** A quota or fatal interruption stops the whole gate (the first one wins). */
function stopForInterruption(
  gate: BatchGate,
  extraction: Extract<Awaited<ReturnType<DocumentPipeline["extract"]>>, { kind: "interrupted" }>,
  now: number,
): void {
  if (gate.stopReason) return;
  if (extraction.outcome === "quota")
    gate.stop({ kind: "quota", resetAt: interruptionResetAt(extraction, now), message: extraction.message });
  else if (extraction.outcome === "fatal") gate.stop({ kind: "fatal", message: extraction.message });
}

/** The result's provenance counts every request the gate sent for the document (hedges and retries too). */
function withRequestCounts(result: FormResult, documentId: string, gate: BatchGate, started: string, now: number): FormResult {
  const sent = gate.requestsFor(documentId);
  gate.forget(documentId);
  return {
    ...result,
    provenance: {
      ...result.provenance,
      requests: Math.max(result.provenance.requests, sent),
      attempts: Math.max(result.provenance.attempts, sent),
      startedAt: result.provenance.startedAt ?? started,
      finishedAt: result.provenance.finishedAt ?? new Date(now).toISOString(),
    },
  };
}
