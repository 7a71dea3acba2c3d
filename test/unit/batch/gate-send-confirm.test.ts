import { describe, expect, it } from "vitest";
import type { AcquireResult, Limiter } from "../../../src/batch/limiter.js";
import type { ExtractionOutcome, ExtractionRequest, ExtractOptions, Provider } from "../../../src/providers/provider.js";
import { MemoryStore } from "../../../src/storage/memory-store.js";
import { FakeClock } from "../../support/fake-clock.js";
import { gateRequest, testGate } from "../../support/gate-fixtures.js";

const OK: ExtractionOutcome<unknown> = {
  kind: "ok",
  reply: { n: 1 },
  usage: { promptTokens: 1, completionTokens: 1, costUsd: null },
  model: "m",
};

/** A limiter whose grants must be confirmed at send time; the confirmations answer in turn from `answers`. */
function confirmingLimiter(answers: boolean[]): Limiter & { acquired: number; confirmed: number } {
  const limiter = {
    acquired: 0,
    confirmed: 0,
    effectiveRps: Number.POSITIVE_INFINITY,
    waiting: 0,
    acquire(): Promise<AcquireResult> {
      limiter.acquired++;
      const answer = answers[limiter.acquired - 1] ?? true;
      return Promise.resolve({
        kind: "granted",
        at: 0,
        confirm: () => {
          limiter.confirmed++;
          return Promise.resolve(answer);
        },
      });
    },
    pauseUntil() {},
    recordSuccess() {},
    close() {},
  };
  return limiter;
}

/** A provider that counts what it really sends; with `callsBeforeSend` it checks the slot first, as the HTTP client does. */
function countingProvider(callsBeforeSend: boolean): Provider & { sent: number } {
  const provider = {
    name: "fake",
    model: "m",
    metered: true,
    callsBeforeSend,
    sent: 0,
    async extract<T>(_request: ExtractionRequest<T>, options: ExtractOptions): Promise<ExtractionOutcome<T>> {
      if (callsBeforeSend && options.beforeSend && !(await options.beforeSend())) return { kind: "transient", message: "not sent" };
      provider.sent++;
      return OK as ExtractionOutcome<T>;
    },
  };
  return provider;
}

describe("BatchGate with a slot confirmed at send time", () => {
  for (const callsBeforeSend of [true, false]) {
    it(`a slot given back at send time is taken again, and nothing is counted for it (${callsBeforeSend ? "the provider confirms at its wire" : "the gate confirms before the call"})`, async () => {
      const clock = new FakeClock();
      const store = new MemoryStore();
      const limiter = confirmingLimiter([false, false, true]);
      const provider = countingProvider(callsBeforeSend);
      const gate = testGate({ maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 1_000 }, { provider, limiter, store, clock });
      const call = gate.call(gateRequest("a".repeat(64)), new AbortController().signal);
      await clock.advance(10_000);
      const outcome = await call;
      expect(outcome.kind).toBe("ok");
      expect(outcome.attempts).toBe(1);
      expect(limiter.acquired).toBe(3);
      expect(limiter.confirmed).toBe(3);
      expect(provider.sent).toBe(1);
      expect(store.listAttempts().map((a) => a.outcome)).toEqual(["ok"]);
      expect(gate.stats.requests).toBe(1);
    });
  }
});
