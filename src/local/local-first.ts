import type { ExtractionOutcome, ExtractionRequest, Provider } from "../providers/provider.js";

/**
 * A provider that may answer on this machine, for free, before any metered call: the local
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
