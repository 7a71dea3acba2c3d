import type { ExtractionOutcome, ExtractionRequest } from "../providers/provider.js";
import type { VerdictOptions } from "../verify/verdict.js";
import type { WitnessSource } from "./witnesses.js";

/**
 * The final outcome of one request after the gate's retries. The gate may say how many provider
 * calls it took (retries included); extraction records it in provenance.attempts.
 */
export type GatedOutcome<T> = ExtractionOutcome<T> & { readonly attempts?: number };

/**
 * How extraction reaches a provider: through the batch engine's gate, which applies the shared
 * rate limiter, timeouts, retries with backoff, budgets and attempt recording. Extraction code
 * never calls a provider directly, so the engine is the one place that retries.
 *
 * The gate returns the final outcome for this request after its retries:
 * ok, fatal, invalid_output (after the last attempt), transient (attempts used up),
 * or rate_limited with scope "day" (quota exhausted: the engine stops the run).
 */
export interface ProviderGate {
  call<T>(request: ExtractionRequest<T>, signal: AbortSignal): Promise<GatedOutcome<T>>;
}

/** "document": one request per document with all its count pages; "page": one request per count page. */
export type RequestMode = "document" | "page";

export interface ExtractOptions {
  readonly requestMode: RequestMode;
  /** Re-ask once, focused on the suspect cells, when hard checks fail. */
  readonly reask: boolean;
  /** A second configured model for the re-ask (independent reads); default: the same model. */
  readonly reaskModel?: string | undefined;
  /** For provenance. */
  readonly providerName: string;
  readonly model: string;
  /** Output token cap per request; default: the provider's. */
  readonly maxOutputTokens?: number | undefined;
  /** Readers besides the first model (the offline reader, a second model, crop re-reads), in order. */
  readonly witnesses?: readonly WitnessSource[] | undefined;
  /** The verdict rule's options (--accept-single-witness). */
  readonly verdict?: VerdictOptions | undefined;
  /** Clock for provenance timestamps (tests). */
  readonly now?: (() => Date) | undefined;
}

export const DEFAULT_REQUEST_MODE: RequestMode = "document";
