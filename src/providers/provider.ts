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

export interface ExtractOptions {
  readonly signal: AbortSignal;
  /**
   * The last step before the request goes on the wire, after its body is built and serialized (a
   * fleet confirms its rate slot here, so a worker starved in between cannot send late). False: the
   * slot is gone; nothing is sent and the outcome does not matter (the caller asks for a new slot).
   * Called by the provider when it says `callsBeforeSend`, else by the caller just before `extract`.
   */
  readonly beforeSend?: () => Promise<boolean>;
}

export interface Provider {
  /** Preset or implementation name, e.g. "openrouter", "local". */
  readonly name: string;
  readonly model: string;
  /** Whether a call costs quota or money (false for the local reader). */
  readonly metered: boolean;
  /** True when `extract` calls `options.beforeSend` itself, as the last step before sending. */
  readonly callsBeforeSend?: boolean;
  extract<T>(request: ExtractionRequest<T>, options: ExtractOptions): Promise<ExtractionOutcome<T>>;
  /** Lets go of worker threads the provider runs (the local reader); a run calls it at its end. */
  close?(): Promise<void>;
}

/**
 * An optional capability: a provider that may answer on this machine, for free, before any metered call: the local
 * reader alone, or the cascade's local stage. The batch gate asks `answerLocally` before its
 * rate limiter, so such answers take no rate slot, no quota, no --max-requests or cost budget,
 * and are not recorded as paid attempts; only a request handed on to `remote` goes through the
 * limiter. (`metered: false` alone is not enough: local vision servers such as Ollama are
 * unmetered too but still honour the user's limits and the request budget.)
 */
export interface LocalFirstProvider extends Provider {
  /** The final answer, or null to send the request on to `remote`. Never null when `remote` is null. */
  answerLocally<T>(request: ExtractionRequest<T>, signal: AbortSignal): Promise<ExtractionOutcome<T> | null>;
  /** The metered model for what the local stage leaves; null when there is none. */
  readonly remote: Provider | null;
}

export function isLocalFirst(provider: Provider): provider is LocalFirstProvider {
  return typeof (provider as Partial<LocalFirstProvider>).answerLocally === "function" && "remote" in provider;
}
