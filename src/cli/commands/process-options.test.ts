import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY } from "../../batch/retry-policy.js";
import { type ProcessCommandOptions, sharedRunSettings } from "./process-options.js";

// Only the flags sharedRunSettings reads; the rest of the command's options do not matter here.
const BASE = { out: "out", maxAttempts: 4, timeout: 90, progress: "none", requestMode: "document", reask: true } as ProcessCommandOptions;

describe("sharedRunSettings", () => {
  it("maps the flags both process paths share, with no budget and no waiting by default", () => {
    expect(sharedRunSettings(BASE)).toEqual({
      retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 4 },
      timeoutMs: 90_000,
      maxRequests: null,
      maxCostUsd: null,
      waitForQuota: false,
      retryFailed: false,
    });
  });
  it("passes budgets, --wait-for-quota and --retry-failed through", () => {
    const settings = sharedRunSettings({ ...BASE, maxRequests: 10, maxCost: 2.5, waitForQuota: true, retryFailed: true });
    expect(settings).toMatchObject({ maxRequests: 10, maxCostUsd: 2.5, waitForQuota: true, retryFailed: true });
  });
});
