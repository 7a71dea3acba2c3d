import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { BatchGate, GateOptions } from "../../../src/batch/gate.js";
import { RateLimiter } from "../../../src/batch/rate-limiter.js";
import type { ExtractionOutcome, ExtractionRequest, Provider } from "../../../src/providers/provider.js";
import { MemoryStore } from "../../../src/storage/memory-store.js";
import type { Store } from "../../../src/storage/store.js";
import { FakeClock } from "../../support/fake-clock.js";
import { gateRequest, testGate } from "../../support/gate-fixtures.js";
import { replyKey } from "../../../src/batch/reply-key.js";

const replyKeyOf = (req: ExtractionRequest<unknown>) => replyKey(req, "m");

/** A provider that answers `{ n: <call number> }`. */
function counting(): Provider & { calls: number } {
  const provider = {
    name: "fake",
    model: "m",
    metered: true,
    calls: 0,
    async extract<T>(_request: ExtractionRequest<T>): Promise<ExtractionOutcome<T>> {
      provider.calls++;
      return {
        kind: "ok",
        reply: { n: provider.calls } as T,
        usage: { promptTokens: 7, completionTokens: 3, costUsd: 0.01 },
        model: "m-2026",
      };
    },
  };
  return provider;
}

function gateOn(store: Store, provider: Provider, clock: FakeClock, options: Partial<GateOptions> = {}): BatchGate {
  const limiter = new RateLimiter({ limits: { rps: 10, rpm: null, rpd: null }, clock });
  return testGate({ maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 4_000 }, { provider, limiter, store, clock }, options);
}

/** The gate's first request waits on the clock (the probe); let it run. */
async function call<T>(clock: FakeClock, gate: BatchGate, req: ExtractionRequest<T>) {
  const pending = gate.call(req, new AbortController().signal);
  await clock.advance(10_000);
  return pending;
}

const request = { ...gateRequest("d".repeat(64)), replySchema: z.object({ n: z.number() }) };

describe("replies kept for the next run", () => {
  it("answers a request an earlier run paid for from the store, without sending it", async () => {
    const clock = new FakeClock();
    const store = new MemoryStore();
    store.upsertDocument({ id: request.documentId, primaryPath: "/a.pdf", container: "pdf", sources: [], pathMetadata: null });
    const provider = counting();
    const first = await call(clock, gateOn(store, provider, clock), request);
    expect(first).toMatchObject({ kind: "ok", reply: { n: 1 } });

    const again = gateOn(store, provider, clock);
    const reused = await call(clock, again, request);
    expect(reused).toMatchObject({ kind: "ok", reply: { n: 1 }, model: "m-2026", attempts: 0, usage: { costUsd: 0.01 } });
    expect(provider.calls).toBe(1);
    expect(store.listAttempts()).toHaveLength(1);
    expect(again.stats).toMatchObject({ requests: 0, costUsd: 0, reusedReplies: 1 });

    // Another prompt, another page image or another model is another request.
    await call(clock, again, { ...request, user: "u2" });
    await call(clock, again, { ...request, images: [{ page: 1, mime: "image/jpeg", data: Buffer.from([1, 2, 3]) }] });
    await call(clock, again, { ...request, model: "other" });
    expect(provider.calls).toBe(4);
  });

  it("sends the request again when the kept reply no longer validates", async () => {
    const clock = new FakeClock();
    const store = new MemoryStore();
    const provider = counting();
    await call(clock, gateOn(store, provider, clock), request);
    const stricter = { ...request, replySchema: z.object({ n: z.string() }) };
    const outcome = await call(clock, gateOn(store, provider, clock), stricter);
    expect(provider.calls).toBe(2);
    expect(outcome.kind).toBe("ok");
  });

  it("keeps the answer of a request cancelled on the wire when it comes within the grace, and lets a later one go", async () => {
    const clock = new FakeClock();
    const store = new MemoryStore();
    const slow = (ms: number): Provider & { calls: number; abortedOnWire: number } => {
      const provider = {
        name: "fake",
        model: "m",
        metered: true,
        calls: 0,
        abortedOnWire: 0,
        extract<T>(_request: ExtractionRequest<T>, options: { signal: AbortSignal }): Promise<ExtractionOutcome<T>> {
          provider.calls++;
          return new Promise((resolve) => {
            const cancel = clock.setTimer(ms, () =>
              resolve({ kind: "ok", reply: { n: 7 } as T, usage: { promptTokens: 1, completionTokens: 1, costUsd: 0.02 }, model: "m" }),
            );
            options.signal.addEventListener("abort", () => {
              provider.abortedOnWire++;
              cancel();
              resolve({ kind: "transient", message: "aborted" });
            });
          });
        },
      };
      return provider;
    };
    const cancelledAt = async (gate: BatchGate, req: ExtractionRequest<unknown>, ms: number) => {
      const controller = new AbortController();
      const pending = gate.call(req, controller.signal);
      await clock.advance(ms);
      controller.abort();
      const outcome = await pending;
      return outcome;
    };
    // Answers 600 ms after sending; cancelled at 200 ms: the caller goes at once, the answer is kept.
    const quick = slow(600);
    const gate = gateOn(store, quick, clock, { cancelGraceMs: 1_500 });
    expect(await cancelledAt(gate, request, 200)).toMatchObject({ kind: "transient", message: "cancelled" });
    const settled = gate.lingered();
    await clock.advance(1_000);
    await settled;
    expect(quick.abortedOnWire).toBe(0);
    expect(store.keptReply(replyKeyOf(request))).not.toBeNull();
    expect(store.listAttempts().map((a) => [a.outcome, a.costUsd])).toEqual([["ok", 0.02]]);
    expect(gate.stats.costUsd).toBeCloseTo(0.02);
    // The next run pays nothing for it.
    const next = gateOn(store, quick, clock);
    expect(await call(clock, next, request)).toMatchObject({ kind: "ok", reply: { n: 7 }, attempts: 0 });
    expect(quick.calls).toBe(1);

    // Answers after 5 s: past the grace the request is let go, nothing is kept, the attempt is a cancel.
    const other = { ...request, documentId: "e".repeat(64) };
    const late = slow(5_000);
    const lateStore = new MemoryStore();
    const lateGate = gateOn(lateStore, late, clock, { cancelGraceMs: 1_500 });
    expect(await cancelledAt(lateGate, other, 200)).toMatchObject({ kind: "transient", message: "cancelled" });
    const gone = lateGate.lingered();
    await clock.advance(1_600);
    await gone;
    expect(late.abortedOnWire).toBe(1);
    expect(lateStore.keptReply(replyKeyOf(other))).toBeNull();
    expect(lateStore.listAttempts().map((a) => a.outcome)).toEqual(["cancelled"]);
  });
});
