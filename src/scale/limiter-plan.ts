import type { RateLimits } from "../batch/rate-limiter.js";

/** BullMQ's global limiter: at most `max` job starts per fixed window of `duration` ms. */
export interface LimiterPlan {
  readonly max: number;
  readonly duration: number;
  /** Requests per second the plan sustains when the queue is never empty. */
  readonly sustainedRps: number;
}

const SECOND = 1_000;
const MINUTE = 60_000;
/** Shortest window worth a Redis key (shorter windows only add load on Redis). */
const MIN_DURATION_MS = 5;

/**
 * Turns sliding-window limits (per second and per minute together) into one BullMQ fixed-window
 * limiter that never exceeds any of them.
 *
 * BullMQ opens a window at the first start after the last one expired, so windows are disjoint
 * and each holds at most `max` starts. A sliding window of length T meets at most ceil(T/D) + 1
 * such windows; requests trail their job's start by up to `jitterMs`, so T = W + jitter. Hence
 * max × (ceil((W + jitter) / D) + 1) ≤ L for every limit L per W. Small `max` gives the highest
 * sustained rate ((L − max) per W); `max` grows with L only to keep D above a few ms.
 *
 * A limit of 1 per window cannot be guaranteed by fixed windows (one start at the end of a window
 * and the next at the start of the following one); it is planned as 1 per (W + jitter) and the
 * provider may see 2 in a sliding window at the boundary.
 */
export function planLimiter(limits: RateLimits, jitterMs: number): LimiterPlan | null {
  const windows: { limit: number; span: number }[] = [];
  const add = (perWindow: number | null, windowMs: number) => {
    if (perWindow === null || !(perWindow > 0)) return;
    // Below one per window: one per a proportionally longer window.
    if (perWindow < 1) windows.push({ limit: 1, span: windowMs / perWindow + jitterMs });
    else windows.push({ limit: Math.floor(perWindow), span: windowMs + jitterMs });
  };
  add(limits.rps, SECOND);
  add(limits.rpm, MINUTE);
  if (windows.length === 0) return null;

  let best: LimiterPlan | null = null;
  const smallest = Math.min(...windows.map((w) => w.limit));
  for (let max = 1; max <= Math.max(1, Math.floor(smallest / 2)); max++) {
    let duration = MIN_DURATION_MS;
    for (const { limit, span } of windows) {
      const perWindow = Math.floor(limit / max);
      // max × (ceil(span / D) + 1) ≤ limit  ⇔  ceil(span / D) ≤ perWindow − 1  ⇔  D ≥ span / (perWindow − 1)
      duration = Math.max(duration, perWindow >= 2 ? Math.ceil(span / (perWindow - 1)) : Math.ceil(span) + 1);
    }
    const sustainedRps = (max * SECOND) / duration;
    if (best === null || sustainedRps > best.sustainedRps + 1e-9) best = { max, duration, sustainedRps };
    // Once windows are long enough, a bigger max only loses rate.
    if (duration > MIN_DURATION_MS * 4 && max > 1) break;
  }
  if (smallest === 1) {
    const span = Math.max(...windows.map((w) => w.span));
    return { max: 1, duration: Math.ceil(span), sustainedRps: SECOND / Math.ceil(span) };
  }
  return best;
}

/** Largest number of starts the plan allows in any sliding window of `windowMs` (for tests and docs). */
export function worstCaseInWindow(plan: LimiterPlan, windowMs: number): number {
  return plan.max * (Math.ceil(windowMs / plan.duration) + 1);
}
