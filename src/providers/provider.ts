import type { z } from "zod";

/**
 * The seam between the engine and any model (remote vision LLM, fake server, local reader).
 * A provider makes exactly one attempt per call: retries, rate limits and budgets belong to
 * the batch engine, so a provider never sleeps or retries on its own.
 */
export interface ExtractionImage {
  /** 1-based page of the document this image shows. */
  readonly page: number;
  readonly mime: "image/jpeg" | "image/png";
  readonly data: Buffer;
}

export interface ExtractionRequest<T> {
  readonly documentId: string;
  /**
   * "read" is the first full read; "reask" is a focused second look; "verify" is the second model's
   * independent read (--verify-with), which the batch gate sends to that model, on its own limiter.
   */
  readonly purpose: "read" | "reask" | "verify";
  readonly promptVersion: string;
  readonly system: string;
  readonly user: string;
  readonly images: readonly ExtractionImage[];
  /** The reply must parse as JSON and validate against this schema, or the outcome is invalid_output. */
  readonly replySchema: z.ZodType<T>;
  /** Name for response_format json_schema. */
  readonly schemaName: string;
  /** Overrides the provider's configured model (for a second-model re-ask). */
  readonly model?: string;
  readonly maxOutputTokens?: number;
}

export interface Usage {
  readonly promptTokens: number | null;
  readonly completionTokens: number | null;
  /** USD, where the provider reports it (OpenRouter does). */
  readonly costUsd: number | null;
}

export const NO_USAGE: Usage = { promptTokens: null, completionTokens: null, costUsd: null };

export type RateLimitScope = "request" | "minute" | "day";

export type ExtractionOutcome<T> =
  | { readonly kind: "ok"; readonly reply: T; readonly usage: Usage; readonly model: string }
  | {
      readonly kind: "rate_limited";
      /** From Retry-After or X-RateLimit-Reset; null when the provider gave no hint. */
      readonly retryAfterMs: number | null;
      readonly scope: RateLimitScope;
      readonly message: string;
      /**
       * Epoch ms when the limit resets, when known as an absolute time (X-RateLimit-Reset, an
       * HTTP-date Retry-After, the UTC midnight of a daily cap). Use it rather than
       * now + retryAfterMs to avoid clock drift between the provider and the caller.
       */
      readonly resetAt?: number;
    }
  | { readonly kind: "transient"; readonly message: string; readonly status?: number }
  | {
      readonly kind: "fatal";
      /** "batch": nothing will work (401, 403, unknown model, no credit); "document": only this request is bad (400, 413). */
      readonly scope: "batch" | "document";
      readonly message: string;
      readonly status?: number;
    }
  | { readonly kind: "invalid_output"; readonly message: string; readonly usage: Usage };

export type OutcomeKind = ExtractionOutcome<unknown>["kind"];

export interface Provider {
  /** Preset or implementation name, e.g. "openrouter", "local". */
  readonly name: string;
  readonly model: string;
  /** Whether a call costs quota or money (false for the local reader). */
  readonly metered: boolean;
  extract<T>(request: ExtractionRequest<T>, options: { signal: AbortSignal }): Promise<ExtractionOutcome<T>>;
}
