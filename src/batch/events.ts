import type { ProcessingError, Status } from "../forms/form-result.js";
import type { RateLimitScope } from "../providers/provider.js";

/** Why a run ended; maps one-to-one onto the CLI exit codes. */
export type RunEnd = "completed" | "completed_with_failures" | "cancelled" | "budget" | "quota" | "fatal";

export interface ProgressSnapshot {
  /** Documents in the batch; while `discovering`, those found so far. */
  readonly total: number;
  readonly done: number;
  readonly verified: number;
  readonly needsReview: number;
  readonly failed: number;
  readonly inFlight: number;
  readonly requests: number;
  readonly retries: number;
  readonly rateLimitPauses: number;
  readonly costUsd: number;
  /** Requests sent early by tail hedging, repeats of a request included in `requests`. */
  readonly hedges?: number;
  /** Replies an interrupted run had paid for, used instead of a request (not in `requests`). */
  readonly reusedReplies?: number;
  /** Discovery is still running alongside the processing: `total` may grow, and there is no ETA yet. */
  readonly discovering?: true;
  /** Documents finished per minute over the recent window. */
  readonly docsPerMinute: number;
  /** null until the rate is known. */
  readonly etaMs: number | null;
  readonly elapsedMs: number;
}

/** Typed progress events: the CLI bar, --progress json, the web UI and the scale-out coordinator all read these. */
export type BatchEvent =
  | {
      readonly type: "run_started";
      readonly at: string;
      readonly total: number;
      readonly alreadyDone: number;
      readonly toProcess: number;
      /** Processing started before discovery finished: the counts are those so far, and `discovery_finished` follows. */
      readonly discovering?: true;
    }
  | {
      readonly type: "discovery_finished";
      readonly total: number;
      readonly alreadyDone: number;
      readonly toProcess: number;
      readonly rejected: number;
      readonly duplicates: number;
    }
  | { readonly type: "document_started"; readonly documentId: string; readonly path: string }
  | {
      readonly type: "document_finished";
      readonly documentId: string;
      readonly path: string;
      readonly status: Exclude<Status, "failed">;
      readonly reasons: readonly string[];
    }
  | { readonly type: "document_failed"; readonly documentId: string; readonly path: string; readonly error: ProcessingError }
  | { readonly type: "duplicate_content"; readonly documentId: string; readonly paths: readonly string[] }
  | {
      readonly type: "retry_scheduled";
      readonly documentId: string;
      readonly attempt: number;
      readonly delayMs: number;
      readonly reason: string;
    }
  | { readonly type: "rate_limited"; readonly scope: RateLimitScope; readonly pauseMs: number; readonly until: string }
  | { readonly type: "resumed" }
  | { readonly type: "quota_exhausted"; readonly resetAt: string }
  | ({ readonly type: "progress" } & ProgressSnapshot)
  | { readonly type: "run_finished"; readonly end: RunEnd; readonly message: string; readonly progress: ProgressSnapshot };

export type BatchEventListener = (event: BatchEvent) => void;
