/**
 * The server side of a provider's limits, shared by the HTTP fake provider and the in-process
 * simulated one: sliding-window rate limits, a daily cap, and picking a fault from one roll.
 */

export interface WindowLimit {
  /** At most this many accepted requests in any `windowMs`. */
  readonly max: number;
  readonly windowMs: number;
}

/** Sliding windows over the times of accepted requests. */
export class SlidingWindows {
  private readonly accepted: number[] = [];
  private readonly longestMs: number;

  constructor(private readonly limits: readonly WindowLimit[]) {
    this.longestMs = Math.max(0, ...limits.map((limit) => limit.windowMs));
  }

  /** ms until a request at `now` fits every window (its oldest counted request leaves); null: it fits now. */
  waitMs(now: number): number | null {
    let wait: number | null = null;
    for (const { max, windowMs } of this.limits) {
      const inWindow = this.accepted.filter((t) => t > now - windowMs);
      if (inWindow.length >= max) {
        const oldest = inWindow[inWindow.length - max] ?? now;
        wait = Math.max(wait ?? 0, oldest + windowMs - now);
      }
    }
    return wait;
  }

  accept(now: number): void {
    // Older than the longest window, a request never counts again.
    while (this.accepted.length > 0 && (this.accepted[0] ?? 0) <= now - this.longestMs) this.accepted.shift();
    this.accepted.push(now);
  }
}

/** Requests per day; above the cap, a day-scope 429. */
export class DailyCap {
  private count = 0;
  private day: number | null = null;

  constructor(readonly cap: number | undefined) {}

  /** Starts the count again when `now` falls on a later UTC day than the last call. */
  rollOver(now: number): void {
    const day = utcDay(now);
    if (this.day !== null && day !== this.day) this.count = 0;
    this.day = day;
  }

  get reached(): boolean {
    return this.cap !== undefined && this.count >= this.cap;
  }

  take(): void {
    this.count++;
  }

  reset(): void {
    this.count = 0;
  }
}

/** The first kind whose cumulative probability (in the order given) exceeds `roll`; null: none. */
export function pickFault<K extends string>(roll: number, probabilities: readonly (readonly [K, number])[]): K | null {
  let cumulative = 0;
  for (const [kind, probability] of probabilities) {
    cumulative += probability;
    if (roll < cumulative) return kind;
  }
  return null;
}

export function utcDay(ms: number): number {
  return Math.floor(ms / 86_400_000);
}

export function nextUtcMidnight(ms: number): number {
  return (utcDay(ms) + 1) * 86_400_000;
}

/** The most of `times` in any sliding window of `windowMs` (a window holds times less than windowMs apart). */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
