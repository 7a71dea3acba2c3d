import type { ExtractionOutcome } from "../providers/provider.js";

export interface RetryPolicy {
  /** Attempts per request for invalid output, first included. Rate-limit waits do not count. */
  readonly maxAttempts: number;
  /**
   * Attempts per request for transient faults (5xx, timeouts, dropped connections): a provider's
   * bad minute must not fail a document that a later try would read. Never fewer than maxAttempts;
   * when absent, maxAttempts.
   */
  readonly transientAttempts?: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * About 4 s doubling to 10 s, as the original tool. Invalid output gets 3 attempts (the same image
 * read again rarely parses better a fourth time); transient faults get 10, about 80 s of trying.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, transientAttempts: 10, baseDelayMs: 4_000, maxDelayMs: 10_000 };

/** Attempts allowed for a request whose last outcome was of this kind. */
export function attemptsFor(kind: "transient" | "invalid_output", policy: RetryPolicy): number {
  return kind === "transient" ? Math.max(policy.maxAttempts, policy.transientAttempts ?? policy.maxAttempts) : policy.maxAttempts;
}

export type RetryDecision =
  | { readonly kind: "done" }
  | { readonly kind: "retry"; readonly delayMs: number }
  /** Rate limited: wait (handled by the limiter) and try again without using an attempt. */
  | { readonly kind: "rate_limited" }
  | { readonly kind: "give_up" }
  | { readonly kind: "stop" };

/**
 * What to do after an attempt. `attempt` is 1-based and counts the attempts that ended like this
 * one (transient, or invalid output): each kind has its own allowance (see attemptsFor).
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
      if (attempt >= attemptsFor(outcome.kind, policy)) return { kind: "give_up" };
      return { kind: "retry", delayMs: backoffDelay(attempt, policy, random) };
  }
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}
