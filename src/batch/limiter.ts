import type { RateLimitScope } from "../providers/provider.js";

/** Client-side limits; null means no limit of that kind. All apply together. */
export interface RateLimits {
  readonly rps: number | null;
  readonly rpm: number | null;
  /** Requests per UTC day (OpenRouter's free-model cap resets at UTC midnight). */
  readonly rpd: number | null;
}

/** A request slot the limiter granted. */
export interface Grant {
  readonly kind: "granted";
  readonly at: number;
  /**
   * A limiter whose slot must still be confirmed at send time (the fleet's): call it as the last
   * step before the request goes on the wire. False: the slot was given back (too late, or a
   * pause began); send nothing and acquire again.
   */
  readonly confirm?: () => Promise<boolean>;
}

export type AcquireResult =
  | Grant
  /** The daily quota is used up until resetAt: the client's --rpd, or the provider said so (a day-scope 429). */
  | { readonly kind: "quota"; readonly resetAt: number; readonly source: "client" | "provider" }
  | { readonly kind: "aborted" };

/**
 * What the engine's gate needs from a rate limiter. The single-machine `RateLimiter` implements it
 * with local sliding windows; a fleet implements it against a limiter shared by every worker.
 * Every request the gate sends takes one `acquire` first, so the limiter sees every attempt.
 */
export interface Limiter {
  /** Waits for a request slot under every limit. "quota": the day is used up; "aborted": the signal fired. */
  acquire(signal: AbortSignal): Promise<AcquireResult>;
  /**
   * The provider answered 429: hold every request until `untilMs` (scope "day": the daily quota is
   * gone until then). `grantedAt` is when the refused request got its slot, so one burst of 429s
   * for requests sent before a cut does not cut the rate again.
   */
  pauseUntil(untilMs: number, scope: RateLimitScope, grantedAt?: number): void;
  /** A request was answered (not 429): an adaptive limiter may raise its rate again. */
  recordSuccess(): void;
  /** Requests per second currently paced at (Infinity when unlimited); sizes the engine's concurrency. */
  readonly effectiveRps: number;
  /** Callers waiting for a slot now; 0 where the limiter cannot tell. The engine hedges only when it is 0. */
  readonly waiting: number;
  /** Ends the run: stops timers, and waiting callers get "aborted". */
  close(): void;
}
