import { randomBytes } from "node:crypto";
import { untilAborted } from "../basics/until-aborted.js";
import { type Clock, sleep } from "../batch/clock.js";
import type { AcquireResult, Limiter } from "../batch/limiter.js";
import type { RateLimitScope } from "../providers/provider.js";
import type { AttemptRecord } from "../storage/store.js";
import type { SettleOutcome, SharedLimiter } from "./shared-limiter.js";

/** Longest single wait before asking Redis again (a pause may be lifted or extended meanwhile). */
const MAX_POLL_MS = 1_000;
/** Reservations are made at most this far ahead; further out, the caller asks again later. */
const HORIZON_MS = 2_000;
/**
 * A granted caller wakes this long before its slot, so building and serializing the request
 * happen before the slot; the confirmation at the wire then waits out the rest.
 */
const LEAD_MS = 50;

export interface FleetLimiterOptions {
  /** Extra window length in the shared limiter; a caller later than half of it is re-checked at its real time. */
  readonly guardMs: number;
  /** A request's lease on an in-flight slot expires after this (a killed worker frees its slots). */
  readonly leaseMs: number;
  /** Announces a pause to the coordinator (its progress shows rate-limit pauses). */
  readonly onPause?: (pauseMs: number, scope: RateLimitScope) => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * The engine's Limiter as seen by one job on a worker: every request the job's gate sends takes a
 * reservation from the fleet's shared limiter in Redis (see SharedLimiter), so retries, re-asks and
 * pages count like first requests. A 429 pauses and slows the whole fleet; the job itself simply
 * waits for its next slot. A granted slot is confirmed with Redis as the last step before the
 * request goes on the wire (`confirm` on the grant, called from the HTTP client's fetch); later than
 * half the guard, it goes only where it still fits the windows at that time, else it is given back
 * and the gate asks again. Each sent reservation is settled when its attempt is
 * recorded (`settle`), which frees its in-flight lease and counts its cost.
 */
export class FleetLimiter implements Limiter {
  /** Reservations sent and not yet settled, oldest first. */
  private readonly open: string[] = [];
  /** Reservations granted and not yet confirmed at send time, with their slots (server time). */
  private readonly reserved = new Map<string, number>();
  private readonly closed = new AbortController();
  /** Redis' clock minus this machine's, from the last answer (grant times are compared in Redis time). */
  private offsetMs = 0;
  private waiters = 0;
  private sent = 0;
  private quotaUntil = 0;
  private budget: "requests" | "cost" | null = null;

  constructor(
    private readonly shared: SharedLimiter,
    private readonly clock: Clock,
    private readonly options: FleetLimiterOptions,
  ) {}

  /** The run's request or cost budget was reached: the job goes back to the queue unsent. */
  get budgetReached(): "requests" | "cost" | null {
    return this.budget;
  }

  /** Requests this job was allowed to send. */
  get granted(): number {
    return this.sent;
  }

  /** The fleet paces itself; a job's gate needs no concurrency hint from here. */
  get effectiveRps(): number {
    return Number.POSITIVE_INFINITY;
  }

  get waiting(): number {
    return this.waiters;
  }

  async acquire(signal: AbortSignal): Promise<AcquireResult> {
    const stop = AbortSignal.any([signal, this.closed.signal]);
    this.waiters++;
    try {
      for (;;) {
        if (stop.aborted || this.budget !== null) return { kind: "aborted" };
        if (this.clock.now() < this.quotaUntil) return { kind: "quota", resetAt: this.quotaUntil, source: "provider" };
        const lease = randomBytes(8).toString("hex");
        const answer = await this.ask(() => this.shared.reserve(lease, this.options.leaseMs, HORIZON_MS), stop);
        if (answer === "aborted") {
          this.forget(lease);
          return { kind: "aborted" };
        }
        if (answer === "error") continue;
        this.offsetMs = answer.serverNow - this.clock.now();
        if (answer.kind === "wait") {
          if (!(await sleep(this.clock, Math.min(answer.waitMs, MAX_POLL_MS), stop))) return { kind: "aborted" };
          continue;
        }
        if (answer.kind === "quota") return { kind: "quota", resetAt: answer.resetAt, source: "client" };
        if (answer.kind === "budget") {
          this.budget = answer.budget;
          return { kind: "aborted" };
        }
        this.reserved.set(lease, answer.at);
        if (answer.waitMs > LEAD_MS && !(await sleep(this.clock, answer.waitMs - LEAD_MS, stop))) {
          this.giveBack(lease);
          return { kind: "aborted" };
        }
        return { kind: "granted", at: this.clock.now(), confirm: () => this.confirm(lease, answer.at, stop) };
      }
    } finally {
      this.waiters--;
    }
  }

  pauseUntil(untilMs: number, scope: RateLimitScope, grantedAt?: number): void {
    if (scope === "day") {
      this.quotaUntil = Math.max(this.quotaUntil, untilMs);
      return;
    }
    const pauseMs = Math.max(0, untilMs - this.clock.now());
    this.shared
      .penalize(pauseMs, scope, grantedAt === undefined ? null : grantedAt + this.offsetMs)
      .catch((error: unknown) => this.options.onError?.(error));
    this.options.onPause?.(pauseMs, scope);
  }

  /** Successes are counted when attempts settle (they carry the outcome and cost). */
  recordSuccess(): void {}

  /** An attempt was recorded: settle the oldest open reservation with its outcome and cost. */
  settle(attempt: AttemptRecord): void {
    const lease = this.open.shift();
    if (lease === undefined) return;
    const outcome: SettleOutcome =
      attempt.outcome === "ok" || attempt.outcome === "invalid_output" ? "ok" : attempt.outcome === "rate_limited" ? "refused" : "other";
    this.shared.settle(lease, outcome, attempt.costUsd).catch((error: unknown) => this.options.onError?.(error));
  }

  /** The job ended: waiting calls give up, slots not sent are given back and leases still open are freed. */
  close(): void {
    this.closed.abort();
    for (const [lease, at] of this.reserved) this.forget(lease, at);
    this.reserved.clear();
    for (const lease of this.open.splice(0)) this.shared.settle(lease, "other", null).catch(() => {});
  }

  /**
   * The last step before the request goes out: waits for the slot `at` (server time), then checks
   * with Redis that it still holds (a late one: that it fits where it now goes). Redis checks its own
   * clock; the answer's trip back counts too, since the request leaves only after it. True: send
   * now; false: the slot is given back.
   */
  private async confirm(lease: string, at: number, stop: AbortSignal): Promise<boolean> {
    if (!this.reserved.has(lease)) return false;
    const toleranceMs = this.options.guardMs / 2;
    for (;;) {
      const untilSlot = at - this.offsetMs - this.clock.now();
      if (untilSlot > 0 && !(await sleep(this.clock, untilSlot, stop))) return this.giveBack(lease);
      const askedAt = this.clock.now();
      const check = await this.ask(() => this.shared.confirm(lease, at, toleranceMs), stop);
      if (check === "aborted" || check === "error") return this.giveBack(lease);
      if (check.kind === "early") {
        if (!(await sleep(this.clock, check.waitMs, stop))) return this.giveBack(lease);
        continue;
      }
      if (check.kind === "again") {
        this.reserved.delete(lease);
        return false;
      }
      if (check.serverNow + (this.clock.now() - askedAt) > check.loggedAt + toleranceMs) return this.giveBack(lease);
      this.reserved.delete(lease);
      this.open.push(lease);
      this.sent++;
      return true;
    }
  }

  private giveBack(lease: string): false {
    this.forget(lease, this.reserved.get(lease) ?? null);
    this.reserved.delete(lease);
    return false;
  }

  /** A Redis call that gives up on the signal; a Redis error waits a moment (ioredis reconnects). */
  private async ask<T>(call: () => Promise<T>, stop: AbortSignal): Promise<T | "aborted" | "error"> {
    if (stop.aborted) return "aborted";
    try {
      return await untilAborted<T | "aborted">(call(), stop, () => "aborted");
    } catch (error) {
      this.options.onError?.(error);
      return (await sleep(this.clock, MAX_POLL_MS, stop)) ? "error" : "aborted";
    }
  }

  /** A reservation that will not be sent: give it back (best effort); with its slot when known. */
  private forget(lease: string, at: number | null = null): void {
    this.shared.cancel(lease, at).catch(() => {});
  }
}
