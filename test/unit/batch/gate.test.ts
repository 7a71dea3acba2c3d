import { describe, expect, it } from "vitest";
import { type ExtractionOutcome, type ExtractionRequest, NO_USAGE, type Provider } from "../../../src/providers/provider.js";
import { MemoryStore } from "../../../src/storage/memory-store.js";
import { nextUtcMidnight } from "../../../src/batch/clock.js";
import type { BatchEvent } from "../../../src/batch/events.js";
import { FakeClock } from "../../support/fake-clock.js";
import { gateOptions, gateRequest } from "../../support/gate-fixtures.js";
import { BatchGate, type GateOptions } from "../../../src/batch/gate.js";
import { RateLimiter } from "../../../src/batch/rate-limiter.js";

type Step = ExtractionOutcome<unknown> | "hang";

const OK: ExtractionOutcome<unknown> = {
  kind: "ok",
  reply: { n: 1 },
  usage: { promptTokens: 10, completionTokens: 5, costUsd: 0.002 },
  model: "m",
};
const FLAKY: ExtractionOutcome<unknown> = { kind: "transient", message: "502 bad gateway", status: 502 };

function scripted(steps: Step[]): Provider & { calls: number } {
  const provider = {
    name: "fake",
    model: "m",
    metered: true,
    calls: 0,
    extract<T>(_request: ExtractionRequest<T>, options: { signal: AbortSignal }): Promise<ExtractionOutcome<T>> {
      const step = steps[provider.calls] ?? OK;
      provider.calls++;
      if (step === "hang") return new Promise(() => options.signal.aborted);
      return Promise.resolve(step as ExtractionOutcome<T>);
    },
  };
  return provider;
}

const request = gateRequest("a".repeat(64));

const OPTIONS: GateOptions = gateOptions({ maxAttempts: 3, baseDelayMs: 4_000, maxDelayMs: 10_000 });

function setup(steps: Step[], options: Partial<GateOptions> = {}) {
  const clock = new FakeClock();
  const store = new MemoryStore();
  const events: BatchEvent[] = [];
  const provider = scripted(steps);
  const limiter = new RateLimiter({ limits: { rps: 10, rpm: null, rpd: null }, clock });
  const gate = new BatchGate(
    { ...OPTIONS, ...options },
    {
      provider,
      limiter,
      store,
      clock,
      emit: (e) => events.push(e),
      random: () => 0.5,
    },
  );
  return { clock, store, events, provider, limiter, gate };
}

async function run<T>(clock: FakeClock, promise: Promise<T>, ms = 120_000): Promise<T> {
  await clock.advance(ms);
  return promise;
}

describe("BatchGate", () => {
  it("retries transient failures with backoff and records every attempt", async () => {
    const { clock, store, events, provider, gate } = setup([FLAKY, FLAKY, OK]);
    const outcome = await run(clock, gate.call(request, new AbortController().signal));
    expect(outcome.kind).toBe("ok");
    expect(provider.calls).toBe(3);
    expect(events.filter((e) => e.type === "retry_scheduled").map((e) => e.type === "retry_scheduled" && e.delayMs)).toEqual([
      2_000, 4_000,
    ]);
    expect(store.listAttempts().map((a) => a.outcome)).toEqual(["transient", "transient", "ok"]);
    expect(store.listAttempts()[0]?.httpStatus).toBe(502);
    expect(gate.stats.costUsd).toBeCloseTo(0.002);
  });

  it("gives up after the last attempt", async () => {
    const { clock, provider, gate } = setup([FLAKY, FLAKY, FLAKY, OK]);
    const outcome = await run(clock, gate.call(request, new AbortController().signal));
    expect(outcome.kind).toBe("transient");
    expect(provider.calls).toBe(3);
  });

  it("stops the batch after exactly one request on a fatal answer", async () => {
    const { clock, provider, gate } = setup([{ kind: "fatal", scope: "batch", message: "401: invalid API key", status: 401 }]);
    const first = await run(clock, gate.call(request, new AbortController().signal));
    expect(first.kind).toBe("fatal");
    const second = await run(clock, gate.call(request, new AbortController().signal));
    expect(second.kind).toBe("fatal");
    expect(provider.calls).toBe(1);
    expect(gate.stopReason).toEqual({ kind: "fatal", message: "401: invalid API key" });
  });

  it("waits out a 429 without using an attempt, pausing the shared limiter", async () => {
    const limited: Step = { kind: "rate_limited", retryAfterMs: 7_000, scope: "minute", message: "429" };
    const { clock, provider, gate, limiter, events } = setup([limited, limited, OK], {
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const start = clock.now();
    const pending = gate.call(request, new AbortController().signal);
    await clock.advance(1);
    expect(limiter.pausedUntil).toBe(start + 7_000);
    const outcome = await run(clock, pending);
    expect(outcome.kind).toBe("ok");
    expect(provider.calls).toBe(3);
    expect(gate.stats.rateLimited).toBe(2);
    expect(limiter.effectiveRps).toBeLessThan(10);
    expect(events.some((e) => e.type === "retry_scheduled")).toBe(false);
  });

  it("stops on the provider's daily cap and says when it resets", async () => {
    const { clock, provider, gate, events } = setup([
      { kind: "rate_limited", retryAfterMs: null, scope: "day", message: "free-models-per-day" },
    ]);
    const outcome = await run(clock, gate.call(request, new AbortController().signal), 10);
    expect(outcome.kind).toBe("rate_limited");
    expect(provider.calls).toBe(1);
    const reason = gate.stopReason;
    expect(reason?.kind).toBe("quota");
    expect(reason?.kind === "quota" && reason.resetAt).toBe(nextUtcMidnight(clock.now()));
    expect(events.some((e) => e.type === "quota_exhausted")).toBe(true);
  });

  it("waits for the quota reset with waitForQuota", async () => {
    const { clock, provider, gate } = setup([{ kind: "rate_limited", retryAfterMs: 60_000, scope: "day", message: "cap" }], {
      waitForQuota: true,
    });
    const outcome = await run(clock, gate.call(request, new AbortController().signal), 120_000);
    expect(outcome.kind).toBe("ok");
    expect(provider.calls).toBe(2);
    expect(gate.stopReason).toBeNull();
  });

  it.each([
    { budget: "the request budget", limits: { maxRequests: 2 } },
    { budget: "the cost budget, estimating from the average", limits: { maxCostUsd: 0.005 } },
  ])("stops before exceeding $budget", async ({ limits }) => {
    const { clock, provider, gate } = setup([], limits);
    const signal = new AbortController().signal;
    // Three documents' requests: the same request again would be answered by the reply kept for it.
    await run(clock, gate.call(gateRequest("1".repeat(64)), signal));
    await run(clock, gate.call(gateRequest("2".repeat(64)), signal));
    const third = await run(clock, gate.call(gateRequest("3".repeat(64)), signal));
    expect(third.kind).toBe("fatal");
    expect(provider.calls).toBe(2);
    expect(gate.stopReason?.kind).toBe("budget");
  });

  it("times out a hung request and retries it", async () => {
    const { clock, provider, gate, store } = setup(["hang", OK], { timeoutMs: 5_000 });
    const outcome = await run(clock, gate.call(request, new AbortController().signal));
    expect(outcome.kind).toBe("ok");
    expect(provider.calls).toBe(2);
    expect(store.listAttempts()[0]?.message).toMatch(/no answer within 5 s/);
  });

  it("returns promptly when cancelled during a backoff", async () => {
    const { clock, gate } = setup([FLAKY, OK]);
    const controller = new AbortController();
    const pending = gate.call(request, controller.signal);
    await clock.advance(10);
    controller.abort();
    const outcome = await pending;
    expect(outcome).toMatchObject({ kind: "transient", message: "cancelled", attempts: 1 });
    expect(gate.stats.backingOff).toBe(0);
    expect(NO_USAGE.costUsd).toBeNull();
  });
});
