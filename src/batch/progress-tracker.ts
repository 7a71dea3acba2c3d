import type { ProgressSnapshot } from "./events.js";

/** What the gate counts live; hedges and reused replies only where a single machine's engine runs. */
export type LiveCounters = Pick<
  ProgressSnapshot,
  "inFlight" | "requests" | "retries" | "rateLimitPauses" | "costUsd" | "hedges" | "reusedReplies"
>;

const RATE_WINDOW_MS = 120_000;

/** Counts finished documents and derives the rate and ETA shown by the bar, JSON events and the web UI. */
export class ProgressTracker {
  private verified = 0;
  private needsReview = 0;
  private failed = 0;
  /** Finish times in ascending order; those before `oldest` are out of the window. */
  private finishTimes: number[] = [];
  private oldest = 0;
  private discovering = false;

  /** `total` is read on each snapshot: it grows while discovery runs alongside the processing. */
  constructor(
    private readonly total: () => number,
    already: { verified: number; needsReview: number; failed: number },
    private readonly startedAt: number,
  ) {
    this.verified = already.verified;
    this.needsReview = already.needsReview;
    this.failed = already.failed;
  }

  /** A document discovery found already finished (an earlier run's, or a rejected input). */
  alreadyFinished(status: "verified" | "needs_review" | "failed"): void {
    this.count(status);
  }

  /** While discovery runs the total is a lower bound: snapshots say so and give no ETA. */
  setDiscovering(discovering: boolean): void {
    this.discovering = discovering;
  }

  finished(status: "verified" | "needs_review" | "failed", at: number): void {
    this.count(status);
    this.finishTimes.push(Math.max(at, this.finishTimes[this.finishTimes.length - 1] ?? at));
    // Times older than the window are dropped from the front in bulk: at national rates the window
    // holds tens of thousands, and filtering it on every finished document cost the coordinator.
    const horizon = at - RATE_WINDOW_MS;
    while (this.oldest < this.finishTimes.length && (this.finishTimes[this.oldest] as number) <= horizon) this.oldest++;
    if (this.oldest > 4096 && this.oldest * 2 > this.finishTimes.length) {
      this.finishTimes = this.finishTimes.slice(this.oldest);
      this.oldest = 0;
    }
  }

  private count(status: "verified" | "needs_review" | "failed"): void {
    if (status === "verified") this.verified++;
    else if (status === "needs_review") this.needsReview++;
    else this.failed++;
  }

  get failures(): number {
    return this.failed;
  }

  snapshot(now: number, live: LiveCounters): ProgressSnapshot {
    const done = this.verified + this.needsReview + this.failed;
    const elapsedMs = now - this.startedAt;
    const windowMs = Math.min(RATE_WINDOW_MS, Math.max(elapsedMs, 1));
    const recent = this.finishTimes.length - firstAfter(this.finishTimes, now - windowMs, this.oldest);
    const docsPerMinute = (recent / windowMs) * 60_000;
    const total = this.total();
    const remaining = Math.max(0, total - done);
    const etaMs = this.discovering
      ? null
      : remaining === 0
        ? 0
        : docsPerMinute > 0 && elapsedMs > 2_000
          ? (remaining / docsPerMinute) * 60_000
          : null;
    return {
      total,
      done,
      verified: this.verified,
      needsReview: this.needsReview,
      failed: this.failed,
      inFlight: live.inFlight,
      requests: live.requests,
      retries: live.retries,
      rateLimitPauses: live.rateLimitPauses,
      costUsd: live.costUsd,
      ...(live.hedges === undefined ? {} : { hedges: live.hedges }),
      ...(live.reusedReplies ? { reusedReplies: live.reusedReplies } : {}),
      ...(this.discovering ? { discovering: true as const } : {}),
      docsPerMinute,
      etaMs,
      elapsedMs,
    };
  }
}

/** The index of the first of the ascending `times` after `limit`, searching from `from`. */
function firstAfter(times: readonly number[], limit: number, from: number): number {
  let low = from;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((times[middle] as number) > limit) high = middle;
    else low = middle + 1;
  }
  return low;
}
