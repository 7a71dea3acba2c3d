import { setMaxListeners } from "node:events";
import type { GatedOutcome, ProviderGate } from "../extract/types.js";
import { isLocalFirst, type LocalFirstProvider } from "../providers/provider.js";
import type { ExtractionOutcome, ExtractionRequest, Provider, Usage } from "../providers/provider.js";
import type { AttemptOutcome, Store } from "../storage/store.js";
import { type Clock, nextUtcMidnight, sleep } from "./clock.js";
import type { BatchEvent } from "./events.js";
import type { Grant, Limiter } from "./limiter.js";
import { decideRetry, type RetryPolicy } from "./retry-policy.js";
import { errorMessage } from "../basics/error-message.js";
import { type LinkedSignal, linkedSignal } from "../basics/linked-signal.js";
import { untilAborted } from "../basics/until-aborted.js";
import { parseJsonWith } from "../basics/parse-json.js";
import { replyKey } from "./reply-key.js";

/** Why the gate refuses every further request. */
export type StopReason =
  | { readonly kind: "quota"; readonly resetAt: number; readonly message: string }
  | { readonly kind: "budget"; readonly message: string }
  | { readonly kind: "fatal"; readonly message: string };

export interface GateOptions {
  readonly retry: RetryPolicy;
  /** Per request. */
  readonly timeoutMs: number;
  /** Requests this run may send (null: no limit). Checked before each request. */
  readonly maxRequests: number | null;
  /** USD this run may spend (null: no limit); the next request is estimated at the average so far. */
  readonly maxCostUsd: number | null;
  /** On the daily quota, wait for the reset instead of stopping. */
  readonly waitForQuota: boolean;
  /** Pause when a 429 carries no Retry-After or reset time. */
  readonly defaultPauseMs?: number;
  /** The first request of a run goes alone until it is answered or this long has passed (default 400 ms). */
  readonly probeMs?: number;
  /** Rate-limit answers tolerated for one request before it counts as an attempt. */
  readonly maxRateLimitWaits?: number;
  /** Hedging in the tail of a run (see TailHedge); off when absent. */
  readonly hedge?: TailHedge;
  /**
   * How long a request already sent may go on answering after its caller was cancelled (default
   * 1.5 s). It is paid for either way: an answer in time is kept for the next run.
   */
  readonly cancelGraceMs?: number;
}

/**
 * Hedging the tail: once nothing else wants a request slot, a request waiting out its retry
 * backoff is sent at once, and a request in flight well past the usual latency (a hang) gets a
 * second copy; the first answer wins and the other is cancelled. Both go through the limiter and
 * the budgets, are recorded as attempts and counted in `stats.hedges`. Hedging holds back while
 * most recent answers are failures (a provider that is down gets its backoff).
 */
export interface TailHedge {
  /** True when no other work is waiting to send (the engine: every document started). */
  idle(): boolean;
}

export interface GateDeps {
  readonly provider: Provider;
  readonly limiter: Limiter;
  readonly store: Store;
  readonly clock: Clock;
  readonly emit: (event: BatchEvent) => void;
  readonly random?: () => number;
  /** Called once when the gate stops (quota, budget, fatal), so the engine can abort the rest. */
  readonly onStop?: (reason: StopReason) => void;
  /**
   * The second model (--verify-with): requests with purpose "verify" go to it, on its own limiter
   * (its own rates, 429 pauses and daily quota), with the same retries, timeouts and attempt
   * records; the request and cost budgets count both models.
   */
  readonly verifier?: { readonly provider: Provider; readonly limiter: Limiter };
}

export interface GateStats {
  /** Requests sent by this run (every attempt, retries included). */
  requests: number;
  retries: number;
  rateLimited: number;
  costUsd: number;
  inFlight: number;
  /** Requests waiting out a retry backoff (not holding a rate slot). */
  backingOff: number;
  /** Requests in flight well past the usual latency (likely hung): they wait on their timeout, not on the provider's rate. */
  overdue: number;
  /** Smoothed request latency, ms; null before the first answer. */
  latencyMs: number | null;
  /** Requests sent early by tail hedging: retries cut short, and second copies of a hung request. */
  hedges: number;
  /** Replies an interrupted run had paid for, used again instead of a request. */
  reusedReplies: number;
}

/** A hung request gets its copy no sooner than this, however fast answers usually are. */
const MIN_HEDGE_AFTER_MS = 1_000;
const HEDGE_POLL_MS = 100;
/** Copies a hung request may get in the tail, one after another. */
const MAX_HEDGES = 2;
const LATENCY_SAMPLES = 64;
const HEALTH_WINDOW = 20;
const DEFAULT_CANCEL_GRACE_MS = 1_500;
/**
 * A refused key or model is answered in well under this (the provider checks them before any
 * work); a real reading takes seconds. So after this long with no answer the first request is
 * taken as accepted, and the rest start: a bad key still costs about one request.
 */
const DEFAULT_PROBE_MS = 400;

const CANCELLED: ExtractionOutcome<never> = { kind: "transient", message: "cancelled" };
const abortedCall = (): ExtractionOutcome<never> => ({ kind: "transient", message: "aborted" });
/** The limiter took the slot back at send time: the request was not sent, counted or recorded. */
const WITHHELD: ExtractionOutcome<never> = { kind: "transient", message: "not sent: the rate slot was given back before sending" };

/**
 * The engine's ProviderGate: every provider call goes through the shared limiter, a timeout,
 * retries with backoff, the request and cost budgets, and is recorded in the store.
 */
export class BatchGate implements ProviderGate {
  readonly stats: GateStats = {
    requests: 0,
    retries: 0,
    rateLimited: 0,
    costUsd: 0,
    inFlight: 0,
    backingOff: 0,
    overdue: 0,
    latencyMs: null,
    hedges: 0,
    reusedReplies: 0,
  };
  /** The second model's share of `stats`: requests sent and cost. */
  readonly verifierStats = { requests: 0, costUsd: 0 };
  private stopped: StopReason | null = null;
  /** Aborted on stop: calls waiting for a slot, a backoff or the first answer give up; requests already sent finish. */
  private readonly halt = new AbortController();
  private readonly perDocument = new Map<string, number>();
  private readonly replyKeys = new WeakMap<ExtractionRequest<unknown>, string>();
  private costBefore: number;
  private costedBefore: number;
  private costedThisRun = 0;
  private announcedQuotaReset = 0;
  /** Until the first answer of the run arrives, one request at a time: a bad key costs one request, not a burst. */
  private firstAnswer: Promise<void> | null = null;
  private releaseFirstAnswer: (() => void) | null = null;
  private answered = false;
  private probeStartedAt = 0;
  /** Latencies of recent answers (not timeouts), for the hedge threshold. */
  private readonly latencies: number[] = [];
  /** hangAfter() as of the last answer: polled by every request in flight, so kept, not recomputed. */
  private hangAfterMs: number;
  /** Whether each recent answer was usable (ok), for holding hedges back while the provider fails. */
  private readonly recentOk: boolean[] = [];
  /** Requests whose caller was cancelled while they were on the wire, given the grace to answer. */
  private readonly lingering = new Set<Promise<void>>();

  constructor(
    private readonly options: GateOptions,
    private readonly deps: GateDeps,
  ) {
    // Every request's signal listens to `halt` while it waits or runs.
    setMaxListeners(0, this.halt.signal);
    const totals = deps.store.usageTotals();
    this.costBefore = totals.costUsd;
    this.costedBefore = totals.costedRequests;
    this.hangAfterMs = this.hangAfter();
  }

  get stopReason(): StopReason | null {
    return this.stopped;
  }

  /** Provider calls sent for a document by this run. */
  requestsFor(documentId: string): number {
    return this.perDocument.get(documentId) ?? 0;
  }

  /** Drops the per-document count once a document is finished (memory stays flat). */
  forget(documentId: string): void {
    this.perDocument.delete(documentId);
  }

  /** Settles once every request left answering after a cancel has answered or run out of grace. */
  async lingered(): Promise<void> {
    while (this.lingering.size > 0) await Promise.allSettled([...this.lingering]);
  }

  /** Stops the gate from outside (e.g. a budget decided by the engine). */
  stop(reason: StopReason): void {
    if (this.stopped) return;
    this.stopped = reason;
    this.halt.abort();
    this.deps.onStop?.(reason);
  }

  async call<T>(request: ExtractionRequest<T>, signal: AbortSignal): Promise<GatedOutcome<T>> {
    if (request.purpose === "verify") return this.callVerifier(request, signal);
    const { provider } = this.deps;
    let paid: Provider = provider;
    if (isLocalFirst(provider)) {
      // The local reader (alone, or as the cascade's first stage) costs no quota, money or rate
      // slot: it runs before the limiter and budgets, adds nothing to the request count, and is
      // not recorded as an attempt (the attempts table seeds the daily quota on resume).
      const local = await this.answerLocally(provider, request, signal);
      if (local !== null || provider.remote === null) return local ?? CANCELLED;
      paid = provider.remote;
    }
    const kept = this.keptAnswer(paid, request);
    if (kept) return kept;
    const counter = { sent: 0 };
    const outcome = await this.callWithRetries(paid, this.deps.limiter, request, signal, counter);
    return { ...outcome, attempts: counter.sent };
  }

  /**
   * The reply an earlier, interrupted run already paid for, when the store kept one for this exact
   * request: it is used again without a request (no slot, no attempt, no budget).
   */
  private keptAnswer<T>(provider: Provider, request: ExtractionRequest<T>): GatedOutcome<T> | null {
    const kept = this.deps.store.keptReply(this.keyOf(provider, request));
    const reply = kept === null ? null : parseJsonWith(request.replySchema, kept.replyJson);
    if (kept === null || reply === null) return null;
    this.stats.reusedReplies++;
    const usage = { promptTokens: kept.promptTokens, completionTokens: kept.completionTokens, costUsd: kept.costUsd };
    return { kind: "ok", reply, usage, model: kept.model, attempts: 0 };
  }

  /** The request's reply key, hashed once per request (its page images are hundreds of KB). */
  private keyOf(provider: Provider, request: ExtractionRequest<unknown>): string {
    let key = this.replyKeys.get(request);
    if (key === undefined) {
      key = replyKey(request, request.model ?? provider.model);
      this.replyKeys.set(request, key);
    }
    return key;
  }

  /** Keeps a paid reply until its document's result is saved, so no later run pays for it again. */
  private keepAnswer<T>(provider: Provider, request: ExtractionRequest<T>, outcome: ExtractionOutcome<T>): void {
    if (outcome.kind !== "ok") return;
    this.deps.store.keepReply(this.keyOf(provider, request), {
      documentId: request.documentId,
      model: outcome.model,
      replyJson: JSON.stringify(outcome.reply),
      ...outcome.usage,
    });
  }

  private async callVerifier<T>(request: ExtractionRequest<T>, signal: AbortSignal): Promise<GatedOutcome<T>> {
    const verifier = this.deps.verifier;
    if (verifier === undefined) return { kind: "fatal", scope: "document", message: "no second model is configured (--verify-with)" };
    const kept = this.keptAnswer(verifier.provider, request);
    if (kept) return kept;
    const counter = { sent: 0 };
    const outcome = await this.callWithRetries(verifier.provider, verifier.limiter, request, signal, counter);
    return { ...outcome, attempts: counter.sent };
  }

  private async answerLocally<T>(
    provider: LocalFirstProvider,
    request: ExtractionRequest<T>,
    signal: AbortSignal,
  ): Promise<ExtractionOutcome<T> | null> {
    if (signal.aborted) return CANCELLED;
    let outcome: ExtractionOutcome<T> | null;
    try {
      outcome = await provider.answerLocally(request, signal);
    } catch (error) {
      if (signal.aborted) return CANCELLED;
      outcome = { kind: "fatal", scope: "document", message: `local reader error: ${errorMessage(error)}` };
    }
    if (signal.aborted) return CANCELLED;
    if (outcome?.kind === "fatal" && outcome.scope === "batch") this.stop({ kind: "fatal", message: outcome.message });
    return outcome;
  }

  private async callWithRetries<T>(
    provider: Provider,
    limiter: Limiter,
    request: ExtractionRequest<T>,
    signal: AbortSignal,
    counter: { sent: number },
  ): Promise<ExtractionOutcome<T>> {
    // Waits (a slot, a backoff, the first answer) also end when the gate stops.
    const wait = linkedSignal(signal, this.halt.signal);
    try {
      return await this.retrying(provider, limiter, request, signal, wait.signal, counter);
    } finally {
      wait.dispose();
    }
  }

  private async retrying<T>(
    provider: Provider,
    limiter: Limiter,
    request: ExtractionRequest<T>,
    signal: AbortSignal,
    waitSignal: AbortSignal,
    counter: { sent: number },
  ): Promise<ExtractionOutcome<T>> {
    const { clock } = this.deps;
    const failures = { transient: 0, invalid_output: 0 };
    let rateLimitWaits = 0;
    for (;;) {
      if (signal.aborted) return CANCELLED;
      if (!this.answered && this.firstAnswer) {
        // A bad key or model is refused at once; a real answer takes a while. Waiting for the first
        // answer (at most probeMs) keeps a 401 to one request without idling the limiter for long.
        await waitOrAbort(Promise.race([this.firstAnswer, sleep(clock, this.options.probeMs ?? DEFAULT_PROBE_MS, waitSignal)]), waitSignal);
        if (this.stopped) return this.refusal<T>() ?? CANCELLED;
        this.answered ||= clock.now() - this.probeStartedAt >= (this.options.probeMs ?? DEFAULT_PROBE_MS);
        if (!this.answered) continue;
      }
      const refusal = this.refusal<T>() ?? this.budgetRefusal<T>();
      if (refusal) return refusal;

      const slot = await limiter.acquire(waitSignal);
      if (slot.kind === "aborted") return signal.aborted ? CANCELLED : (this.refusal<T>() ?? CANCELLED);
      if (slot.kind === "quota") {
        const waited = await this.onQuota(slot.resetAt, waitSignal);
        if (waited) continue;
        return this.refusal<T>() ?? CANCELLED;
      }
      const late = this.refusal<T>() ?? this.budgetRefusal<T>();
      if (late) return late;

      counter.sent++;
      const outcome = await this.sendHedged(provider, limiter, request, slot, signal, counter);
      if (signal.aborted) return CANCELLED;
      if (outcome === WITHHELD) {
        counter.sent--;
        continue;
      }
      const tries = outcome.kind === "transient" || outcome.kind === "invalid_output" ? ++failures[outcome.kind] : 1;
      const decision = decideRetry(outcome, tries, this.options.retry, this.deps.random);
      switch (decision.kind) {
        case "done":
          limiter.recordSuccess();
          return outcome;
        case "stop":
          if (outcome.kind === "fatal" && outcome.scope === "batch") this.stop({ kind: "fatal", message: outcome.message });
          return outcome;
        case "give_up":
          return outcome;
        case "rate_limited": {
          if (outcome.kind !== "rate_limited") return outcome;
          this.stats.rateLimited++;
          const now = clock.now();
          if (outcome.scope === "day") {
            // Reset times come from headers in whole seconds; keep them whole (UTC midnight stays 00:00:00).
            const resetAt =
              outcome.resetAt ??
              (outcome.retryAfterMs === null ? nextUtcMidnight(now) : Math.round((now + outcome.retryAfterMs) / 1000) * 1000);
            limiter.pauseUntil(resetAt, "day", slot.at);
            continue;
          }
          rateLimitWaits++;
          if (rateLimitWaits > (this.options.maxRateLimitWaits ?? 50)) return outcome;
          const pauseMs = outcome.retryAfterMs ?? this.options.defaultPauseMs ?? (outcome.scope === "minute" ? 20_000 : 5_000);
          limiter.pauseUntil(now + pauseMs, outcome.scope, slot.at);
          continue;
        }
        case "retry": {
          this.stats.retries++;
          this.deps.emit({
            type: "retry_scheduled",
            documentId: request.documentId,
            attempt: failures.transient + failures.invalid_output + 1,
            delayMs: decision.delayMs,
            reason: outcome.kind === "transient" || outcome.kind === "invalid_output" ? outcome.message : outcome.kind,
          });
          this.stats.backingOff++;
          const slept = await this.backoff(limiter, decision.delayMs, waitSignal);
          this.stats.backingOff--;
          if (!slept) return signal.aborted ? CANCELLED : (this.refusal<T>() ?? CANCELLED);
          continue;
        }
      }
    }
  }

  /** Waits out a retry backoff; in the tail, cut short as soon as nothing else wants a slot. */
  private async backoff(limiter: Limiter, ms: number, signal: AbortSignal): Promise<boolean> {
    const { clock } = this.deps;
    if (!this.options.hedge) return sleep(clock, ms, signal);
    const until = clock.now() + ms;
    for (;;) {
      const left = until - clock.now();
      if (left <= 0) return true;
      if (this.mayHedge(limiter)) {
        this.stats.hedges++;
        return true;
      }
      if (!(await sleep(clock, Math.min(left, HEDGE_POLL_MS), signal))) return false;
    }
  }

  /** Nothing else wants a slot, the provider mostly answers, and the budgets allow one more request. */
  private mayHedge(limiter: Limiter): boolean {
    if (this.stopped || !this.options.hedge?.idle() || limiter.waiting > 0) return false;
    if (this.recentOk.length > 0 && this.recentOk.filter(Boolean).length * 2 < this.recentOk.length) return false;
    const { maxRequests, maxCostUsd } = this.options;
    if (maxRequests !== null && this.stats.requests + 1 > maxRequests) return false;
    if (maxCostUsd !== null) {
      const costed = this.costedBefore + this.costedThisRun;
      const average = costed === 0 ? 0 : (this.costBefore + this.stats.costUsd) / costed;
      if (this.stats.costUsd + average * (this.stats.inFlight + 1) > maxCostUsd) return false;
    }
    return true;
  }

  /** How long a request may stay unanswered before it counts as hung: one and a half times the recent 95th percentile. */
  private hangAfter(): number {
    if (this.latencies.length < 10) return Math.max(MIN_HEDGE_AFTER_MS, 3 * (this.stats.latencyMs ?? this.options.timeoutMs));
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
    return Math.max(MIN_HEDGE_AFTER_MS, 1.5 * p95);
  }

  /**
   * Sends the request; in the tail, a copy follows once the first looks hung, and the copy may get
   * a copy of its own (at most MAX_HEDGES per request: a hedge can hang too). The first usable
   * answer wins and the others are cancelled, so the document is answered (and recorded) once.
   * `dropped` abandons this copy (its own hedges too) when an earlier copy answered first.
   */
  private async sendHedged<T>(
    provider: Provider,
    limiter: Limiter,
    request: ExtractionRequest<T>,
    slot: Grant,
    signal: AbortSignal,
    counter: { sent: number },
    hedgesLeft = MAX_HEDGES,
    dropped?: AbortSignal,
  ): Promise<ExtractionOutcome<T>> {
    const startedAt = slot.at;
    // The last copy a request may get is sent as it is.
    if (!this.options.hedge || hedgesLeft === 0) return this.send(provider, request, slot, signal, dropped);
    const { clock } = this.deps;
    const cancelFirst = new AbortController();
    const dropFirst = dropped ? linkedSignal(dropped, cancelFirst.signal) : null;
    const first = this.send(provider, request, slot, signal, dropFirst?.signal ?? cancelFirst.signal);
    let firstDone = false;
    const markDone = () => {
      firstDone = true;
      dropFirst?.dispose();
    };
    first.then(markDone, markDone);
    // Only the request itself counts as overdue for the scheduler, not its copies.
    const countsOverdue = hedgesLeft === MAX_HEDGES;
    let overdue = false;
    try {
      for (;;) {
        if (firstDone || signal.aborted || dropped?.aborted) return await first;
        // Judged afresh on each look: the first answers of a run change what "usual" means.
        if (clock.now() >= startedAt + this.hangAfterMs) {
          if (!overdue && countsOverdue) this.stats.overdue++;
          overdue = true;
          if (this.mayHedge(limiter)) break;
        }
        await Promise.race([first, sleep(clock, HEDGE_POLL_MS, signal)]);
      }
      return await this.hedge(provider, limiter, request, signal, counter, first, cancelFirst, hedgesLeft - 1, dropped);
    } finally {
      if (overdue && countsOverdue) this.stats.overdue--;
    }
  }

  /** Sends a copy of a request that looks hung, once a slot is free; the first usable answer wins. */
  private async hedge<T>(
    provider: Provider,
    limiter: Limiter,
    request: ExtractionRequest<T>,
    signal: AbortSignal,
    counter: { sent: number },
    first: Promise<ExtractionOutcome<T>>,
    cancelFirst: AbortController,
    hedgesLeft: number,
    dropped: AbortSignal | undefined,
  ): Promise<ExtractionOutcome<T>> {
    const cancelSlot = new AbortController();
    const slotSignal = linkedSignal(signal, this.halt.signal, cancelSlot.signal, ...(dropped ? [dropped] : []));
    const slotRequest = limiter.acquire(slotSignal.signal);
    slotRequest.then(slotSignal.dispose, slotSignal.dispose);
    const raced = await Promise.race([first.then(() => null), slotRequest]);
    if (raced === null || raced.kind !== "granted") {
      cancelSlot.abort();
      return first;
    }
    counter.sent++;
    this.stats.hedges++;
    const cancelSecond = new AbortController();
    const second = this.sendHedged(provider, limiter, request, raced, signal, counter, hedgesLeft, cancelSecond.signal);
    return firstUsable(first, cancelFirst, second, cancelSecond);
  }

  private refusal<T>(): ExtractionOutcome<T> | null {
    const stop = this.stopped;
    if (!stop) return null;
    if (stop.kind === "quota") {
      const retryAfterMs = Math.max(0, stop.resetAt - this.deps.clock.now());
      return { kind: "rate_limited", retryAfterMs, scope: "day", message: stop.message, resetAt: stop.resetAt };
    }
    return { kind: "fatal", scope: "batch", message: stop.message };
  }

  private budgetRefusal<T>(): ExtractionOutcome<T> | null {
    const { maxRequests, maxCostUsd } = this.options;
    const committed = this.stats.requests;
    if (maxRequests !== null && committed + 1 > maxRequests) {
      this.stop({ kind: "budget", message: `the request budget (--max-requests ${maxRequests}) is reached` });
      return this.refusal();
    }
    if (maxCostUsd !== null) {
      const costed = this.costedBefore + this.costedThisRun;
      const average = costed === 0 ? 0 : (this.costBefore + this.stats.costUsd) / costed;
      const projected = this.stats.costUsd + average * (this.stats.inFlight + 1);
      if (projected > maxCostUsd) {
        this.stop({
          kind: "budget",
          message: `the cost budget (--max-cost ${maxCostUsd}) would be exceeded: $${this.stats.costUsd.toFixed(4)} spent, about $${average.toFixed(4)} per request`,
        });
        return this.refusal();
      }
    }
    return null;
  }

  /** The daily quota is gone: wait for the reset (true) or stop the run (false). */
  private async onQuota(resetAt: number, signal: AbortSignal): Promise<boolean> {
    if (this.announcedQuotaReset !== resetAt) {
      this.announcedQuotaReset = resetAt;
      this.deps.emit({ type: "quota_exhausted", resetAt: new Date(resetAt).toISOString() });
    }
    if (!this.options.waitForQuota) {
      this.stop({
        kind: "quota",
        resetAt,
        message: `the daily request quota is used up; it resets at ${new Date(resetAt).toISOString()}`,
      });
      return false;
    }
    const waitMs = Math.max(0, resetAt - this.deps.clock.now()) + 1_000;
    return sleep(this.deps.clock, waitMs, signal);
  }

  /**
   * One provider call under a timeout; always returns an outcome and records the attempt, except
   * WITHHELD: the slot's confirmation at send time failed, so nothing went out. `signal` is the
   * caller's cancel (the request on the wire gets a grace); `dropped` abandons it at once (a hedge's
   * losing copy).
   */
  private async send<T>(
    provider: Provider,
    request: ExtractionRequest<T>,
    slot: Grant,
    signal: AbortSignal,
    dropped?: AbortSignal,
  ): Promise<ExtractionOutcome<T>> {
    const { clock } = this.deps;
    const startedAt = slot.at;
    const check = slot.confirm ? sendCheck(slot.confirm) : null;
    // A provider that cannot confirm at its wire gets the confirmation just before the call.
    if (check && !provider.callsBeforeSend && !(await check.beforeSend())) return WITHHELD;
    const timeout = new AbortController();
    const cancelTimer = clock.setTimer(this.options.timeoutMs, () => timeout.abort());
    const abandon = dropped ? [dropped] : [];
    const linked = linkedSignal(signal, timeout.signal, ...abandon);
    const combined = linked.signal;
    // The wire's own signal: a request already sent is paid for, so a cancelled caller leaves it the grace to answer.
    const grace = graceAfter(signal, this.options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS, clock);
    const wire = linkedSignal(grace.signal, timeout.signal, ...abandon);
    const letGo = () => {
      grace.dispose();
      wire.dispose();
    };
    if (!this.answered && !this.firstAnswer) {
      this.probeStartedAt = clock.now();
      this.firstAnswer = new Promise((resolve) => {
        this.releaseFirstAnswer = resolve;
      });
    }
    this.stats.inFlight++;
    this.stats.requests++;
    this.perDocument.set(request.documentId, (this.perDocument.get(request.documentId) ?? 0) + 1);
    let outcome: ExtractionOutcome<T> = CANCELLED;
    let call: Promise<ExtractionOutcome<T>> | null = null;
    const callerLeft: ExtractionOutcome<T> = abortedCall();
    try {
      const options = check && provider.callsBeforeSend ? { signal: wire.signal, beforeSend: check.beforeSend } : { signal: wire.signal };
      call = provider.extract(request, options);
      // A hung call that ignores the signal ends here all the same.
      outcome = await untilAborted(call, combined, () => callerLeft);
    } catch (error) {
      outcome = providerError(error);
    } finally {
      cancelTimer();
      linked.dispose();
      this.stats.inFlight--;
      // A refused key stops the gate before anyone waiting for the first answer is let through.
      if (outcome.kind === "fatal" && outcome.scope === "batch" && !signal.aborted) this.stop({ kind: "fatal", message: outcome.message });
      if (!this.answered) {
        if (!signal.aborted && !check?.withheld) this.answered = true;
        const release = this.releaseFirstAnswer;
        this.firstAnswer = null;
        this.releaseFirstAnswer = null;
        release?.();
      }
    }
    if (check?.withheld) {
      letGo();
      this.stats.requests--;
      this.perDocument.set(request.documentId, (this.perDocument.get(request.documentId) ?? 1) - 1);
      return WITHHELD;
    }
    if (outcome === callerLeft && call !== null && signal.aborted && !dropped?.aborted) {
      // Cancelled on the wire: the caller goes now; the answer, if it comes within the grace, is kept and recorded.
      const late: Promise<void> = untilAborted(call.catch(providerError), wire.signal, () => CANCELLED)
        .then((answer) => {
          this.keepAnswer(provider, request, answer);
          this.account(
            provider,
            request,
            startedAt,
            answer.kind === "ok" ? answer : CANCELLED,
            answer.kind === "ok" ? "ok" : "cancelled",
            false,
          );
        })
        .finally(() => {
          letGo();
          this.lingering.delete(late);
        });
      this.lingering.add(late);
      return CANCELLED;
    }
    letGo();
    let recorded: AttemptOutcome = outcome.kind;
    // A reply that arrived is paid for, even when the run was cancelled meanwhile: keep it.
    this.keepAnswer(provider, request, outcome);
    if ((signal.aborted || dropped?.aborted) && outcome.kind !== "ok") {
      recorded = "cancelled";
      outcome = CANCELLED;
    } else if (timeout.signal.aborted && outcome.kind !== "ok") {
      outcome = { kind: "transient", message: `no answer within ${Math.round(this.options.timeoutMs / 1000)} s` };
      recorded = "transient";
    }
    this.account(provider, request, startedAt, outcome, recorded, timeout.signal.aborted);
    return outcome;
  }

  /** One sent request's stats and its attempt record. */
  private account(
    provider: Provider,
    request: ExtractionRequest<unknown>,
    startedAt: number,
    outcome: ExtractionOutcome<unknown>,
    recorded: AttemptOutcome,
    timedOut: boolean,
  ): void {
    const endedAt = this.deps.clock.now();
    const latency = endedAt - startedAt;
    this.stats.latencyMs = this.stats.latencyMs === null ? latency : this.stats.latencyMs * 0.8 + latency * 0.2;
    if (recorded !== "cancelled") {
      if (!timedOut) pushBounded(this.latencies, latency, LATENCY_SAMPLES);
      pushBounded(this.recentOk, outcome.kind === "ok", HEALTH_WINDOW);
    }
    this.hangAfterMs = this.hangAfter();
    const usage: Usage | null = outcome.kind === "ok" || outcome.kind === "invalid_output" ? outcome.usage : null;
    if (usage?.costUsd != null) {
      this.stats.costUsd += usage.costUsd;
      this.costedThisRun++;
    }
    if (request.purpose === "verify") {
      this.verifierStats.requests++;
      this.verifierStats.costUsd += usage?.costUsd ?? 0;
    }
    this.deps.store.recordAttempt({
      documentId: request.documentId,
      startedAt,
      endedAt,
      purpose: request.purpose,
      outcome: recorded,
      httpStatus:
        "status" in outcome && typeof outcome.status === "number"
          ? outcome.status
          : outcome.kind === "rate_limited"
            ? 429
            : outcome.kind === "ok"
              ? 200
              : null,
      message: outcome.kind === "ok" ? null : outcome.message.slice(0, 500),
      promptTokens: usage?.promptTokens ?? null,
      completionTokens: usage?.completionTokens ?? null,
      costUsd: usage?.costUsd ?? null,
      model: outcome.kind === "ok" ? outcome.model : (request.model ?? provider.model),
    });
  }
}

/** A provider call that threw instead of answering with an outcome. */
function providerError(error: unknown): ExtractionOutcome<never> {
  return { kind: "transient", message: `provider error: ${errorMessage(error)}` };
}

/** A signal that aborts `ms` after `parent` does (the timer starts at the parent's abort). */
function graceAfter(parent: AbortSignal, ms: number, clock: Clock): LinkedSignal {
  const controller = new AbortController();
  let cancelTimer: (() => void) | null = null;
  const start = () => {
    cancelTimer = clock.setTimer(ms, () => controller.abort(parent.reason));
  };
  if (parent.aborted) start();
  else parent.addEventListener("abort", start, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      parent.removeEventListener("abort", start);
      cancelTimer?.();
    },
  };
}

/**
 * The outcome of a hedged request: the first ok answer of the two copies (the other is cancelled).
 * A failed copy (hedge) ends the wait at once, since the original already looked hung: the
 * caller's retry takes over. A failed original waits for its fresh copy.
 */
function firstUsable<T>(
  original: Promise<ExtractionOutcome<T>>,
  cancelOriginal: AbortController,
  copy: Promise<ExtractionOutcome<T>>,
  cancelCopy: AbortController,
): Promise<ExtractionOutcome<T>> {
  return new Promise((resolve, reject) => {
    original.then((outcome) => {
      if (outcome.kind !== "ok") return; // its fresh copy decides
      cancelCopy.abort();
      resolve(outcome);
    }, reject);
    copy.then((outcome) => {
      // The copy lost its slot before it went out: the original decides after all.
      if (outcome === WITHHELD) {
        original.then(resolve, reject);
        return;
      }
      cancelOriginal.abort();
      resolve(outcome);
    }, reject);
  });
}

/** A slot confirmation that runs at most once and remembers a refusal. */
function sendCheck(confirm: () => Promise<boolean>): { readonly beforeSend: () => Promise<boolean>; readonly withheld: boolean } {
  let answer: Promise<boolean> | null = null;
  let withheld = false;
  return {
    beforeSend: () => {
      answer ??= confirm().then((go) => {
        withheld = !go;
        return go;
      });
      return answer;
    },
    get withheld() {
      return withheld;
    },
  };
}

function pushBounded<T>(list: T[], value: T, max: number): void {
  list.push(value);
  if (list.length > max) list.shift();
}

function waitOrAbort(promise: Promise<unknown>, signal: AbortSignal): Promise<void> {
  const settled = promise.then(
    () => {},
    () => {},
  );
  return untilAborted(settled, signal, () => {});
}
