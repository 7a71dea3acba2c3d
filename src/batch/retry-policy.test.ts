import { describe, expect, it } from "vitest";
import { NO_USAGE } from "../providers/provider.js";
import { backoffDelay, DEFAULT_RETRY_POLICY, decideRetry } from "./retry-policy.js";

const policy = { maxAttempts: 3, baseDelayMs: 4_000, maxDelayMs: 10_000 };

describe("decideRetry", () => {
  it("retries transient failures and invalid output until the attempts are used up", () => {
    const transient = { kind: "transient", message: "502" } as const;
    const invalid = { kind: "invalid_output", message: "not JSON", usage: NO_USAGE } as const;
    expect(decideRetry(transient, 1, policy, () => 1)).toEqual({ kind: "retry", delayMs: 4_000 });
    expect(decideRetry(invalid, 2, policy, () => 1)).toEqual({ kind: "retry", delayMs: 8_000 });
    expect(decideRetry(transient, 3, policy, () => 1)).toEqual({ kind: "give_up" });
  });

  it("stops at once on fatal outcomes and never spends an attempt on a rate limit", () => {
    expect(decideRetry({ kind: "fatal", scope: "batch", message: "401" }, 1, policy)).toEqual({ kind: "stop" });
    const limited = { kind: "rate_limited", retryAfterMs: 1000, scope: "minute", message: "429" } as const;
    expect(decideRetry(limited, 3, policy)).toEqual({ kind: "rate_limited" });
    expect(decideRetry({ kind: "ok", reply: {}, usage: NO_USAGE, model: "m" }, 1, policy)).toEqual({ kind: "done" });
  });
});

describe("the default policy", () => {
  it("gives transient faults more attempts than invalid output", () => {
    const transient = { kind: "transient", message: "502" } as const;
    const invalid = { kind: "invalid_output", message: "not JSON", usage: NO_USAGE } as const;
    expect(decideRetry(invalid, 3, DEFAULT_RETRY_POLICY)).toEqual({ kind: "give_up" });
    expect(decideRetry(transient, 3, DEFAULT_RETRY_POLICY).kind).toBe("retry");
    expect(decideRetry(transient, 9, DEFAULT_RETRY_POLICY).kind).toBe("retry");
    expect(decideRetry(transient, 10, DEFAULT_RETRY_POLICY)).toEqual({ kind: "give_up" });
    expect(decideRetry(transient, 4, { ...DEFAULT_RETRY_POLICY, maxAttempts: 12 }).kind).toBe("retry");
  });
});

describe("backoffDelay", () => {
  it("doubles from the base up to the cap, with full jitter", () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, policy, () => 1))).toEqual([4_000, 8_000, 10_000, 10_000]);
    expect(backoffDelay(2, policy, () => 0)).toBe(0);
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(2, policy);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(8_000);
    }
  });
});
