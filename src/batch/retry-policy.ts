import type { ExtractionOutcome } from "../providers/provider.js";

export interface RetryPolicy {
  /** Attempts per request, first included. Rate-limit waits do not count. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** In the spirit of the original tool: about 4 s doubling to 10 s, 3 attempts. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 4_000, maxDelayMs: 10_000 };

export type RetryDecision =
  | { readonly kind: "done" }
  | { readonly kind: "retry"; readonly delayMs: number }
  /** Rate limited: wait (handled by the limiter) and try again without using an attempt. */
  | { readonly kind: "rate_limited" }
  | { readonly kind: "give_up" }
  | { readonly kind: "stop" };

/**
 * What to do after an attempt. `attempt` is 1-based and counts only attempts that used up a try.
 * Only transient failures and invalid output are retried; fatal stops at once.
 */
export function decideRetry(
  outcome: ExtractionOutcome<unknown>,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  switch (outcome.kind) {
    case "ok":
      return { kind: "done" };
    case "rate_limited":
      return { kind: "rate_limited" };
    case "fatal":
      return { kind: "stop" };
    case "transient":
    case "invalid_output":
      if (attempt >= policy.maxAttempts) return { kind: "give_up" };
      return { kind: "retry", delayMs: backoffDelay(attempt, policy, random) };
  }
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}
