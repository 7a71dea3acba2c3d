import type { RateLimitScope } from "../providers/provider.js";
import { type Clock, nextUtcMidnight, utcDayStart } from "./clock.js";
import type { AcquireResult, Limiter, RateLimits } from "./limiter.js";

export type { AcquireResult, Limiter, RateLimits } from "./limiter.js";

export interface RateLimiterListener {
  paused?(untilMs: number, scope: RateLimitScope): void;
  resumed?(): void;
  rateChanged?(effectiveRps: number): void;
}

/** What the store knows about requests already made, so a restart does not overrun the windows. */
export interface RestoredUsage {
  /** Requests already made in the current UTC day. */
  readonly todayCount: number;
  /** Start times (ms) of requests in the last minute. */
  readonly recentStarts: readonly number[];
}

export interface AimdSettings {
  /** Multiplicative decrease on a 429. */
  readonly decrease: number;
  /** Additive step while well below the rate that last drew a 429, as a fraction of the reference rate. */
  readonly fastStep: number;
  /** Additive step near the rate that last drew a 429 (careful probing). */
  readonly slowStep: number;
  /** Successes needed per step: at least this many, and at least `runSeconds` worth at the current rate. */
  readonly minRun: number;
  readonly runSeconds: number;
  /** Never pace slower than this. */
  readonly minRps: number;
}

export const DEFAULT_AIMD: AimdSettings = {
  decrease: 0.85,
  fastStep: 0.05,
  slowStep: 0.003,
  minRun: 10,
  runSeconds: 3,
  minRps: 1 / 60,
};

export interface RateLimiterOptions {
  readonly limits: RateLimits;
  readonly clock: Clock;
  readonly listener?: RateLimiterListener;
  readonly restored?: RestoredUsage;
  readonly aimd?: AimdSettings;
}

interface Waiter {
  /** When acquire was called. */
  readonly since: number;
  readonly resolve: (result: AcquireResult) => void;
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
}

const SECOND = 1000;
const MINUTE = 60_000;
const RECENT_MS = 10_000;
const CATCH_UP_MS = 250;

/** Start times inside a sliding window, oldest first. */
class SlidingWindow {
  private times: number[] = [];
  private head = 0;

  constructor(readonly lengthMs: number) {}

  add(at: number): void {
    this.times.push(at);
    // Windows no limit reads (e.g. --rps 0) are pruned here too, so they never grow with the run.
    this.prune(at);
  }

  count(now: number): number {
    this.prune(now);
    return this.times.length - this.head;
  }

  /** Earliest time a new start fits under `limit`. */
  freeAt(now: number, limit: number): number {
    const inWindow = this.count(now);
    if (inWindow < limit) return now;
    const blocking = this.times[this.head + inWindow - limit];
    return blocking === undefined ? now : blocking + this.lengthMs;
  }

  private prune(now: number): void {
    while (this.head < this.times.length && (this.times[this.head] ?? 0) <= now - this.lengthMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * The one limiter shared by every request in flight. It enforces the per-second, per-minute and
 * per-UTC-day windows together, paces starts evenly at an effective rate, pauses everything when
 * the provider answers 429, and then finds the sustainable rate again (AIMD: cut on a 429, creep
 * back up after runs of successes, never above the configured limits).
 */
export class RateLimiter implements Limiter {
  private readonly clock: Clock;
  private readonly limits: RateLimits;
  private readonly listener: RateLimiterListener;
  private readonly aimd: AimdSettings;
  private readonly second = new SlidingWindow(SECOND);
  private readonly minute = new SlidingWindow(MINUTE);
  /** Grants and refusals (429) over the last seconds: what the provider actually accepted. */
  private readonly recent = new SlidingWindow(RECENT_MS);
  private readonly refused = new SlidingWindow(RECENT_MS);
  private firstGrantAt: number | null = null;
  private dayStart: number;
  private dayCount: number;
  private waiters: Waiter[] = [];
  private cancelTimer: (() => void) | null = null;
  private nextSlot = 0;
  private pausedUntilMs = 0;
  private pauseAnnounced = false;
  private providerQuotaUntil = 0;
  private rate: number;
  private rateAtLast429 = Number.POSITIVE_INFINITY;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  private successRun = 0;
  private total429 = 0;

  constructor(options: RateLimiterOptions) {
    this.clock = options.clock;
    this.limits = options.limits;
    this.listener = options.listener ?? {};
    this.aimd = options.aimd ?? DEFAULT_AIMD;
    this.rate = this.configuredRps;
    const now = this.clock.now();
    this.dayStart = utcDayStart(now);
    this.dayCount = options.restored?.todayCount ?? 0;
    const starts = [...(options.restored?.recentStarts ?? [])].filter((t) => t > now - MINUTE).sort((a, b) => a - b);
    for (const at of starts) {
      this.second.add(at);
      this.minute.add(at);
    }
    const last = starts.at(-1);
    if (last !== undefined) this.nextSlot = last + this.gapMs();
  }

  /** The steady rate the configured limits allow (Infinity when only a daily limit or none is set). */
  get configuredRps(): number {
    const candidates = [this.limits.rps, this.limits.rpm === null ? null : this.limits.rpm / 60].filter(
      (v): v is number => v !== null && v > 0,
    );
    return candidates.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...candidates);
  }

  /** The rate currently paced at; lower than configured after 429s. */
  get effectiveRps(): number {
    return this.rate;
  }

  get todayCount(): number {
    this.rollDay(this.clock.now());
    return this.dayCount;
  }

  get dayResetAt(): number {
    return nextUtcMidnight(this.clock.now());
  }

  get pausedUntil(): number {
    return this.pausedUntilMs;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  get rateLimitedCount(): number {
    return this.total429;
  }

  /** Waits for a slot under every window. Resolves "quota" when the day is used up, "aborted" on the signal. */
  acquire(signal: AbortSignal): Promise<AcquireResult> {
    if (signal.aborted) return Promise.resolve({ kind: "aborted" });
    return new Promise((resolve) => {
      const waiter: Waiter = {
        since: this.clock.now(),
        resolve,
        signal,
        onAbort: () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve({ kind: "aborted" });
          this.pump();
        },
      };
      signal.addEventListener("abort", waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /**
   * The provider said 429: hold every request until `untilMs`. Scope "day" means the provider's
   * daily quota is gone until then. `grantedAt` is when the refused request was let through: a 429
   * for a request sent before the last cut does not cut the rate again.
   */
  pauseUntil(untilMs: number, scope: RateLimitScope, grantedAt?: number): void {
    const now = this.clock.now();
    this.total429++;
    this.refused.add(now);
    if (scope === "day") {
      this.providerQuotaUntil = Math.max(this.providerQuotaUntil, untilMs);
    } else if (untilMs > this.pausedUntilMs) {
      this.pausedUntilMs = untilMs;
      this.nextSlot = Math.max(this.nextSlot, untilMs);
      this.pauseAnnounced = true;
      this.listener.paused?.(untilMs, scope);
    }
    if (scope !== "day" && (grantedAt === undefined || grantedAt >= this.lastDecreaseAt)) this.decrease(now);
    this.pump();
  }

  /** A request succeeded: after a run of successes the effective rate creeps back up. */
  recordSuccess(): void {
    const configured = this.configuredRps;
    if (this.rate >= configured) return;
    this.successRun++;
    const run = Math.max(this.aimd.minRun, Math.ceil(this.rate * this.aimd.runSeconds));
    if (this.successRun < run) return;
    this.successRun = 0;
    const reference = Number.isFinite(configured) ? configured : this.rateAtLast429;
    const step = this.rate < 0.95 * this.rateAtLast429 ? this.aimd.fastStep : this.aimd.slowStep;
    this.setRate(Math.min(configured, this.rate + reference * step));
  }

  /** Stops timers and refuses waiters (used when a run ends). */
  close(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    for (const waiter of this.waiters) {
      waiter.signal.removeEventListener("abort", waiter.onAbort);
      waiter.resolve({ kind: "aborted" });
    }
    this.waiters = [];
  }

  private decrease(now: number): void {
    // What the provider accepted lately bounds what it will sustain: never cut to less than a
    // multiplicative decrease would, but go straight down to the accepted rate when far above it.
    const span = Math.min(RECENT_MS, now - (this.firstGrantAt ?? now));
    const accepted = span >= SECOND ? Math.max(0, this.recent.count(now) - this.refused.count(now)) / (span / SECOND) : null;
    const current = Number.isFinite(this.rate) ? this.rate : Math.max(accepted ?? 0, this.aimd.minRps);
    this.rateAtLast429 = accepted === null ? current : Math.min(current, Math.max(accepted, current * this.aimd.decrease));
    this.lastDecreaseAt = now;
    this.successRun = 0;
    const cut = current * this.aimd.decrease;
    const target = accepted === null ? cut : accepted < cut ? accepted * 0.95 : Math.max(cut, Math.min(current, accepted) * 0.95);
    this.setRate(Math.max(this.aimd.minRps, target));
  }

  private setRate(rps: number): void {
    if (rps === this.rate) return;
    this.rate = rps;
    this.listener.rateChanged?.(rps);
  }

  private gapMs(): number {
    return Number.isFinite(this.rate) ? SECOND / this.rate : 0;
  }

  private rollDay(now: number): void {
    const start = utcDayStart(now);
    if (start !== this.dayStart) {
      this.dayStart = start;
      this.dayCount = 0;
    }
  }

  private quotaReset(now: number): AcquireResult | null {
    if (now < this.providerQuotaUntil) return { kind: "quota", resetAt: this.providerQuotaUntil, source: "provider" };
    if (this.limits.rpd !== null && this.dayCount >= this.limits.rpd) {
      return { kind: "quota", resetAt: nextUtcMidnight(now), source: "client" };
    }
    return null;
  }

  private nextAllowedAt(now: number): number {
    let at = Math.max(now, this.pausedUntilMs, this.nextSlot);
    if (this.limits.rps !== null) at = Math.max(at, this.second.freeAt(now, this.limits.rps));
    if (this.limits.rpm !== null) at = Math.max(at, this.minute.freeAt(now, this.limits.rpm));
    return at;
  }

  private pump(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    while (this.waiters.length > 0) {
      const now = this.clock.now();
      this.rollDay(now);
      const quota = this.quotaReset(now);
      if (quota) {
        const waiters = this.waiters;
        this.waiters = [];
        for (const waiter of waiters) {
          waiter.signal.removeEventListener("abort", waiter.onAbort);
          waiter.resolve(quota);
        }
        return;
      }
      const at = this.nextAllowedAt(now);
      if (at > now) {
        this.cancelTimer = this.clock.setTimer(at - now, () => {
          this.cancelTimer = null;
          this.pump();
        });
        return;
      }
      const waiter = this.waiters.shift();
      if (!waiter) return;
      if (this.pauseAnnounced) {
        this.pauseAnnounced = false;
        this.listener.resumed?.();
      }
      // Slots follow an ideal schedule, so a timer that fires late (a busy CPU) is made up at once,
      // but never more than CATCH_UP_MS of them (no burst after idle time); the windows still cap it.
      const due = Math.max(this.nextSlot, waiter.since);
      this.nextSlot = Math.max(due, now - CATCH_UP_MS) + this.gapMs();
      this.second.add(now);
      this.minute.add(now);
      this.recent.add(now);
      this.firstGrantAt ??= now;
      this.dayCount++;
      waiter.signal.removeEventListener("abort", waiter.onAbort);
      waiter.resolve({ kind: "granted", at: now });
    }
  }
}

/** The limits as people read them, e.g. "5 rps, 300 rpm" or "none". */
export function describeLimits(limits: RateLimits): string {
  const parts = [
    limits.rps === null ? null : `${limits.rps} rps`,
    limits.rpm === null ? null : `${limits.rpm} rpm`,
    limits.rpd === null ? null : `${limits.rpd} per UTC day`,
  ].filter((p) => p !== null);
  return parts.length === 0 ? "none" : parts.join(", ");
}
