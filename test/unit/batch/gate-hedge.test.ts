import { describe, expect, it } from "vitest";
import type { BatchGate, GateOptions } from "../../../src/batch/gate.js";
import { RateLimiter } from "../../../src/batch/rate-limiter.js";
import type { ExtractionOutcome, ExtractionRequest, Provider } from "../../../src/providers/provider.js";
import { MemoryStore } from "../../../src/storage/memory-store.js";
import { FakeClock } from "../../support/fake-clock.js";
import { gateRequest, testGate } from "../../support/gate-fixtures.js";

/** Each call: answer after `ms` on the fake clock, or hang until cancelled. */
type Step = { readonly ms: number; readonly outcome: ExtractionOutcome<unknown> } | "hang";

const OK: ExtractionOutcome<unknown> = {
  kind: "ok",
  reply: { n: 1 },
  usage: { promptTokens: 1, completionTokens: 1, costUsd: null },
  model: "m",
};
const FLAKY: ExtractionOutcome<unknown> = { kind: "transient", message: "502 bad gateway", status: 502 };
const quick = (outcome: ExtractionOutcome<unknown>, ms = 100): Step => ({ ms, outcome });

function scripted(clock: FakeClock, steps: Step[]): Provider & { calls: number } {
  const provider = {
    name: "fake",
    model: "m",
    metered: true,
    calls: 0,
    extract<T>(_request: ExtractionRequest<T>, options: { signal: AbortSignal }): Promise<ExtractionOutcome<T>> {
      const step = steps[provider.calls] ?? quick(OK);
      provider.calls++;
      if (step === "hang") return new Promise(() => {});
      return new Promise((resolve) => {
        const cancel = clock.setTimer(step.ms, () => resolve(step.outcome as ExtractionOutcome<T>));
        options.signal.addEventListener("abort", cancel, { once: true });
      });
    },
  };
  return provider;
}

const request = (n: number) => gateRequest(String(n).padStart(64, "0"));

function setup(steps: Step[], idle: () => boolean, options: Partial<GateOptions> = {}) {
  const clock = new FakeClock();
  const store = new MemoryStore();
  const provider = scripted(clock, steps);
  const limiter = new RateLimiter({ limits: { rps: 10, rpm: null, rpd: null }, clock });
  const gate = testGate(
    { maxAttempts: 3, baseDelayMs: 4_000, maxDelayMs: 10_000 },
    { provider, limiter, store, clock },
    { hedge: { idle }, ...options },
  );
  return { clock, store, provider, gate };
}

/** Ten quick answers first, so the gate knows the usual latency (100 ms). */
const WARM_UP: Step[] = Array.from({ length: 10 }, () => quick(OK));

async function warmUp(clock: FakeClock, gate: BatchGate): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const call = gate.call(request(i), new AbortController().signal);
    await clock.advance(2_000);
    expect((await call).kind).toBe("ok");
  }
}

describe("BatchGate tail hedging", () => {
  it("sends a second copy of a hung request once nothing else wants a slot; the first answer wins and is counted once", async () => {
    const { clock, store, provider, gate } = setup([...WARM_UP, "hang"], () => true);
    await warmUp(clock, gate);
    let settled: ExtractionOutcome<unknown> | null = null;
    const call = gate.call(request(99), new AbortController().signal).then((o) => (settled = o));
    await clock.advance(900);
    expect(settled).toBeNull();
    expect(provider.calls).toBe(11);
    await clock.advance(1_500);
    expect(provider.calls).toBe(12);
    expect((await call).kind).toBe("ok");
    expect(gate.stats.hedges).toBe(1);
    expect(gate.stats.requests).toBe(12);
    const attempts = store.listAttempts().filter((a) => a.documentId === request(99).documentId);
    expect(attempts.map((a) => a.outcome).sort()).toEqual(["cancelled", "ok"]);
  });

  it("keeps one answer when both copies answer: the slow original is cancelled", async () => {
    const { clock, store, gate } = setup([...WARM_UP, quick(OK, 5_000)], () => true);
    await warmUp(clock, gate);
    const call = gate.call(request(99), new AbortController().signal);
    await clock.advance(10_000);
    const outcome = await call;
    expect(outcome.kind).toBe("ok");
    expect(outcome.attempts).toBe(2);
    const attempts = store.listAttempts().filter((a) => a.documentId === request(99).documentId);
    expect(attempts.filter((a) => a.outcome === "ok")).toHaveLength(1);
  });

  it("does not hedge while other work wants slots: a hang waits for the timeout", async () => {
    const { clock, provider, gate } = setup([...WARM_UP, "hang"], () => false);
    await warmUp(clock, gate);
    let settled = false;
    const call = gate.call(request(99), new AbortController().signal).then((o) => {
      settled = true;
      return o;
    });
    await clock.advance(20_000);
    expect(settled).toBe(false);
    expect(provider.calls).toBe(11);
    await clock.advance(60_000);
    expect((await call).kind).toBe("ok");
    expect(gate.stats.hedges).toBe(0);
  });

  it("retries a failed request at once in the tail instead of waiting out the backoff", async () => {
    const tail = setup([...WARM_UP, quick(FLAKY)], () => true);
    await warmUp(tail.clock, tail.gate);
    const hedged = tail.gate.call(request(99), new AbortController().signal);
    await tail.clock.advance(600);
    expect(tail.provider.calls).toBe(12);
    await tail.clock.advance(200);
    expect((await hedged).kind).toBe("ok");
    expect(tail.gate.stats.hedges).toBe(1);

    const busy = setup([...WARM_UP, quick(FLAKY)], () => false);
    await warmUp(busy.clock, busy.gate);
    const waiting = busy.gate.call(request(99), new AbortController().signal);
    await busy.clock.advance(600);
    expect(busy.provider.calls).toBe(11);
    await busy.clock.advance(5_000);
    expect((await waiting).kind).toBe("ok");
    expect(busy.gate.stats.hedges).toBe(0);
  });

  it("holds back while most recent answers are failures (a provider that is down keeps its backoff)", async () => {
    const failing = Array.from({ length: 10 }, () => quick(FLAKY));
    const { clock, provider, gate } = setup([...failing, quick(FLAKY)], () => true, {
      retry: { maxAttempts: 1, transientAttempts: 20, baseDelayMs: 4_000, maxDelayMs: 4_000 },
    });
    const call = gate.call(request(1), new AbortController().signal);
    await clock.advance(600);
    expect(provider.calls).toBe(1);
    await clock.advance(120_000);
    expect((await call).kind).toBe("ok");
    expect(gate.stats.hedges).toBe(0);
  });

  it("never hedges past the request budget", async () => {
    const { clock, provider, gate } = setup([...WARM_UP, "hang"], () => true, { maxRequests: 11, timeoutMs: 5_000 });
    await warmUp(clock, gate);
    const call = gate.call(request(99), new AbortController().signal);
    await clock.advance(4_000);
    expect(provider.calls).toBe(11);
    await clock.advance(60_000);
    await call;
    expect(gate.stats.requests).toBe(11);
    expect(gate.stats.hedges).toBe(0);
  });
});

describe("BatchGate tail hedging when the copy fails", () => {
  it("does not wait for the hung original when its copy fails: the retry takes over at once", async () => {
    const { clock, provider, gate } = setup([...WARM_UP, "hang", quick(FLAKY)], () => true);
    await warmUp(clock, gate);
    let settled: ExtractionOutcome<unknown> | null = null;
    const call = gate.call(request(99), new AbortController().signal).then((o) => (settled = o));
    await clock.advance(5_000);
    expect(provider.calls).toBe(13);
    expect(settled).not.toBeNull();
    expect((await call).kind).toBe("ok");
  });
});
