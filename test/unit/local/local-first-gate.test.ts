import { describe, expect, it } from "vitest";
import { FakeClock } from "../../support/fake-clock.js";
import { gateOptions, gateRequest as request } from "../../support/gate-fixtures.js";
import { BatchGate } from "../../../src/batch/gate.js";
import { RateLimiter } from "../../../src/batch/rate-limiter.js";
import { type ExtractionOutcome, type ExtractionRequest, NO_USAGE, type Provider } from "../../../src/providers/provider.js";
import { MemoryStore } from "../../../src/storage/memory-store.js";
import type { LocalFirstProvider } from "../../../src/providers/provider.js";

function remoteModel(): Provider & { calls: string[] } {
  const calls: string[] = [];
  return {
    name: "remote",
    model: "vision",
    metered: true,
    calls,
    async extract<T>(req: ExtractionRequest<T>): Promise<ExtractionOutcome<T>> {
      calls.push(req.documentId);
      return { kind: "ok", reply: { remote: true } as T, usage: { promptTokens: 1, completionTokens: 1, costUsd: 0.01 }, model: "vision" };
    },
  };
}

/** Answers locally the documents whose id starts with "ok"; the rest go to `remote` (or stay local without one). */
function localFirst(remote: Provider | null): LocalFirstProvider {
  return {
    name: "cascade",
    model: "vision",
    metered: remote !== null,
    remote,
    async extract() {
      throw new Error("the gate must not call extract on a local-first provider");
    },
    async answerLocally<T>(req: ExtractionRequest<T>): Promise<ExtractionOutcome<T> | null> {
      if (remote && !req.documentId.startsWith("ok")) return null;
      return { kind: "ok", reply: { local: true } as T, usage: NO_USAGE, model: "local-digits-v1" };
    },
  };
}

function gateFor(provider: Provider) {
  const clock = new FakeClock();
  const store = new MemoryStore();
  // One request a day and a budget of one: any local answer that counted would exhaust them.
  const limiter = new RateLimiter({ limits: { rps: null, rpm: null, rpd: 1 }, clock });
  const gate = new BatchGate(gateOptions({ maxAttempts: 2, baseDelayMs: 1_000, maxDelayMs: 2_000 }, { maxRequests: 1 }), {
    provider,
    limiter,
    store,
    clock,
    emit: () => {},
  });
  return { clock, store, gate };
}

describe("local answers and the batch gate", () => {
  it("local answers take no rate slot, no request budget and no attempt record; only remote requests do", async () => {
    const remote = remoteModel();
    const { clock, store, gate } = gateFor(localFirst(remote));
    const signal = new AbortController().signal;
    const ids = ["ok-1", "ok-2", "ok-3", "needs-model", "ok-4"];
    const outcomes = [];
    for (const id of ids) {
      const pending = gate.call(request(id), signal);
      await clock.advance(5_000);
      outcomes.push(await pending);
    }
    expect(outcomes.map((o) => o.kind)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
    expect(remote.calls).toEqual(["needs-model"]);
    expect(gate.stats.requests).toBe(1);
    expect(gate.stats.costUsd).toBeCloseTo(0.01);
    expect(store.listAttempts().map((a) => a.documentId)).toEqual(["needs-model"]);
    expect(gate.stopReason).toBeNull();
  });

  it("the local reader alone never touches the limiter or the budgets", async () => {
    const { store, gate } = gateFor(localFirst(null));
    const signal = new AbortController().signal;
    for (const id of ["a", "b", "c"]) expect((await gate.call(request(id), signal)).kind).toBe("ok");
    expect(gate.stats.requests).toBe(0);
    expect(store.listAttempts()).toEqual([]);
  });
});
