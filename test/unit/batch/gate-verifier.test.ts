import { describe, expect, it } from "vitest";
import { BatchGate, type GateOptions } from "../../../src/batch/gate.js";
import { RateLimiter } from "../../../src/batch/rate-limiter.js";
import type { ExtractionOutcome, ExtractionRequest, Provider } from "../../../src/providers/provider.js";
import { MemoryStore } from "../../../src/storage/memory-store.js";
import { FakeClock } from "../../support/fake-clock.js";
import { gateOptions, gateRequest } from "../../support/gate-fixtures.js";

/** The second model (--verify-with) in one batch: its own provider and limiter, budgets shared. */
function counting(name: string, costUsd: number): Provider & { calls: number } {
  const provider = {
    name,
    model: `${name}-model`,
    metered: true,
    calls: 0,
    extract<T>(): Promise<ExtractionOutcome<T>> {
      provider.calls++;
      return Promise.resolve({
        kind: "ok",
        reply: {} as T,
        usage: { promptTokens: 1, completionTokens: 1, costUsd },
        model: provider.model,
      });
    },
  };
  return provider;
}

const request = (purpose: ExtractionRequest<unknown>["purpose"], doc = "a") => gateRequest(doc.repeat(64), purpose);

const OPTIONS: GateOptions = gateOptions({ maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 5_000 });

function setup(options: Partial<GateOptions> = {}, secondLimits = { rps: null, rpm: null, rpd: null as number | null }) {
  const clock = new FakeClock();
  const store = new MemoryStore();
  const first = counting("first", 0.01);
  const second = counting("second", 0.001);
  const firstLimiter = new RateLimiter({ limits: { rps: null, rpm: null, rpd: null }, clock });
  const secondLimiter = new RateLimiter({ limits: secondLimits, clock });
  const gate = new BatchGate(
    { ...OPTIONS, ...options },
    {
      provider: first,
      limiter: firstLimiter,
      store,
      clock,
      emit: () => undefined,
      verifier: { provider: second, limiter: secondLimiter },
    },
  );
  return { clock, store, first, second, gate };
}

describe("BatchGate with a second model", () => {
  it("sends verify requests to the second model and records them as its own lane", async () => {
    const { store, first, second, gate } = setup();
    expect((await gate.call(request("read"), new AbortController().signal)).kind).toBe("ok");
    const verified = await gate.call(request("verify"), new AbortController().signal);
    expect(verified.kind === "ok" && verified.model).toBe("second-model");
    expect([first.calls, second.calls]).toEqual([1, 1]);
    expect(gate.stats.requests).toBe(2);
    expect(gate.verifierStats).toEqual({ requests: 1, costUsd: 0.001 });
    expect(store.countRequestsSince(0, "verify")).toBe(1);
    expect(store.countRequestsSince(0, "first")).toBe(1);
    expect(store.countRequestsSince(0)).toBe(2);
  });

  it("counts both models against --max-requests", async () => {
    const { first, second, gate } = setup({ maxRequests: 2 });
    await gate.call(request("read"), new AbortController().signal);
    await gate.call(request("verify"), new AbortController().signal);
    const third = await gate.call(request("read", "b"), new AbortController().signal);
    expect(third.kind).toBe("fatal");
    expect(gate.stopReason?.kind).toBe("budget");
    expect(first.calls + second.calls).toBe(2);
  });

  it("keeps the second model's daily quota apart from the first's", async () => {
    const { first, second, gate } = setup({}, { rps: null, rpm: null, rpd: 1 });
    await gate.call(request("verify"), new AbortController().signal);
    // The first model is not held back by the second's spent day.
    expect((await gate.call(request("read", "b"), new AbortController().signal)).kind).toBe("ok");
    expect(first.calls).toBe(1);
    const over = await gate.call(request("verify", "b"), new AbortController().signal);
    expect(over.kind).toBe("rate_limited");
    expect(gate.stopReason?.kind).toBe("quota");
    expect(second.calls).toBe(1);
  });

  it("refuses a verify request when no second model is configured", async () => {
    const clock = new FakeClock();
    const gate = new BatchGate(OPTIONS, {
      provider: counting("first", 0),
      limiter: new RateLimiter({ limits: { rps: null, rpm: null, rpd: null }, clock }),
      store: new MemoryStore(),
      clock,
      emit: () => undefined,
    });
    const outcome = await gate.call(request("verify"), new AbortController().signal);
    expect(outcome.kind === "fatal" && outcome.scope).toBe("document");
  });
});
