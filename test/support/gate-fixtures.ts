import { z } from "zod";
import { BatchGate, type GateDeps, type GateOptions } from "../../src/batch/gate.js";
import type { RetryPolicy } from "../../src/batch/retry-policy.js";
import type { ExtractionRequest } from "../../src/providers/provider.js";

/** A request for batch-gate tests: the gate looks only at the document and the purpose. */
export function gateRequest(documentId: string, purpose: ExtractionRequest<unknown>["purpose"] = "read"): ExtractionRequest<unknown> {
  return {
    documentId,
    purpose,
    promptVersion: "v1",
    system: "s",
    user: "u",
    images: [],
    replySchema: z.unknown(),
    schemaName: "r",
  };
}

/** Gate options with a 30 s timeout, no budgets and no waiting for the daily quota; each test sets its retry policy. */
export function gateOptions(retry: RetryPolicy, options: Partial<GateOptions> = {}): GateOptions {
  return { retry, timeoutMs: 30_000, maxRequests: null, maxCostUsd: null, waitForQuota: false, ...options };
}

/** A gate for tests: no event listener, jitter fixed at the middle (random 0.5). */
export function testGate(
  retry: RetryPolicy,
  deps: Pick<GateDeps, "provider" | "limiter" | "store" | "clock">,
  options: Partial<GateOptions> = {},
): BatchGate {
  return new BatchGate(gateOptions(retry, options), { ...deps, emit: () => {}, random: () => 0.5 });
}
