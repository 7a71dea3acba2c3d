import type { ExtractionOutcome, ExtractionRequest } from "../providers/provider.js";

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
  call<T>(request: ExtractionRequest<T>, signal: AbortSignal): Promise<ExtractionOutcome<T>>;
}
