import { type Clock, nextUtcMidnight, sleep } from "../batch/clock.js";
import { type AcquireResult, RateLimiter } from "../batch/rate-limiter.js";
import type { RateLimitScope } from "../providers/provider.js";
import type { FleetTokens } from "./fleet-tokens.js";

/** Longest single wait before asking Redis again (a pause may be lifted or extended meanwhile). */
const MAX_POLL_MS = 1_000;

/**
 * The engine's limiter as seen by one job on a worker: instead of local windows it draws tokens
 * from the fleet's shared budget (see FleetTokens). The BatchGate uses it exactly as it uses the
 * local limiter, so retries, re-asks, timeouts and attempt records stay the engine's own code.
 *
 * - The first acquire of the job is already paid for by BullMQ's limiter when the job started
 *   (when it comes soon enough after the start; otherwise it takes a fresh token).
 * - A 429 pauses the whole fleet through BullMQ's dynamic rate limit. When it hits the job's first
 *   request, the job is handed back to BullMQ (`requeueRequested`) instead of holding a slot; a
 *   later request (re-ask, next page) waits for the pause, so a paid read is never repeated.
 * - A day-scope 429 or the fleet's --rpd pauses the queue until the reset.
 */
export class FleetLimiter extends RateLimiter {
  private prepaidUsed = false;
  private sent = 0;
  private quotaUntil = 0;
  private requeue = false;

  /**
   * @param prepaidUntil the job start's token pays for the first request only if it is sent by then;
   *   a later first request (slow preparation) takes a fresh token, so requests never bunch up.
   */
  constructor(
    private readonly tokens: FleetTokens,
    private readonly fleetClock: Clock,
    private readonly prepaidUntil: number,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    super({ limits: { rps: null, rpm: null, rpd: null }, clock: fleetClock });
  }

  /** True when the job should go back to the queue (BullMQ RateLimitError) rather than finish. */
  get requeueRequested(): boolean {
    return this.requeue;
  }

  /** Requests this job was allowed to send. */
  get granted(): number {
    return this.sent;
  }

  override async acquire(signal: AbortSignal): Promise<AcquireResult> {
    for (;;) {
      if (signal.aborted || this.requeue) return { kind: "aborted" };
      const now = this.fleetClock.now();
      if (now < this.quotaUntil) return { kind: "quota", resetAt: this.quotaUntil, source: "provider" };
      const chargeWindow = this.prepaidUsed || now > this.prepaidUntil;
      let answer: number;
      try {
        answer = await this.tokens.take(chargeWindow);
      } catch (error) {
        // Redis unreachable: wait and ask again (ioredis reconnects on its own).
        this.onError(error);
        answer = MAX_POLL_MS;
      }
      if (answer === 0) {
        this.prepaidUsed = true;
        this.sent++;
        return { kind: "granted", at: this.fleetClock.now() };
      }
      if (answer < 0) return { kind: "quota", resetAt: nextUtcMidnight(now), source: "client" };
      if (!(await sleep(this.fleetClock, Math.min(answer, MAX_POLL_MS), signal))) return { kind: "aborted" };
    }
  }

  override pauseUntil(untilMs: number, scope: RateLimitScope, _grantedAt?: number): void {
    const ms = Math.max(0, untilMs - this.fleetClock.now());
    if (scope === "day") {
      this.quotaUntil = Math.max(this.quotaUntil, untilMs);
      return;
    }
    this.tokens.pause(ms, scope).catch(this.onError);
    if (this.sent <= 1) this.requeue = true;
  }

  override recordSuccess(): void {}
}
