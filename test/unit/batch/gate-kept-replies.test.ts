import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { BatchGate } from "../../../src/batch/gate.js";
import { RateLimiter } from "../../../src/batch/rate-limiter.js";
import type { ExtractionOutcome, ExtractionRequest, Provider } from "../../../src/providers/provider.js";
import { MemoryStore } from "../../../src/storage/memory-store.js";
import type { Store } from "../../../src/storage/store.js";
import { FakeClock } from "../../support/fake-clock.js";
import { gateRequest, testGate } from "../../support/gate-fixtures.js";

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

function gateOn(store: Store, provider: Provider, clock: FakeClock): BatchGate {
  const limiter = new RateLimiter({ limits: { rps: 10, rpm: null, rpd: null }, clock });
  return testGate({ maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 4_000 }, { provider, limiter, store, clock });
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
});
