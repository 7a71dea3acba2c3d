import type { ExtractionRequest, Provider } from "../providers/provider.js";
import type { GatedOutcome, ProviderGate } from "./types.js";

/**
 * A gate straight to the provider: one attempt per request, no limits, no retries. For library
 * users reading a few documents and for tests; batches go through the engine's gate.
 */
export function createDirectGate(provider: Provider): ProviderGate {
  return {
    async call<T>(request: ExtractionRequest<T>, signal: AbortSignal): Promise<GatedOutcome<T>> {
      const outcome = await provider.extract(request, { signal });
      return { ...outcome, attempts: 1 };
    },
  };
}
