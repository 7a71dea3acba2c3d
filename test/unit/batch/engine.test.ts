import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../../src/storage/memory-store.js";
import { createFakePipeline, FAST_BATCH_OPTIONS as FAST, fakeDocument } from "../../e2e/support/fake-pipeline.js";
import { createSimulatedProvider, type SimulatedProviderOptions } from "../../e2e/support/simulated-provider.js";
import { type BatchOptions, runBatch } from "../../../src/batch/engine.js";
import { rejectedInputId } from "../../../src/batch/record-discovery.js";
import type { BatchEvent } from "../../../src/batch/events.js";
import { FakeClock } from "../../support/fake-clock.js";

function docs(n: number) {
  return Array.from({ length: n }, (_, i) => fakeDocument(i));
}

function setup(count: number, providerOptions: Partial<SimulatedProviderOptions> = {}) {
  const documents = docs(count);
  const store = new MemoryStore();
  const provider = createSimulatedProvider({ latencyMs: () => 10, ...providerOptions });
  const pipeline = createFakePipeline({ documents });
  const events: BatchEvent[] = [];
  const run = (options: Partial<BatchOptions> = {}, signal = new AbortController().signal) =>
    runBatch({ ...FAST, ...options }, { store, pipeline, provider }, signal, (e) => events.push(e));
  return { documents, store, provider, pipeline, events, run };
}

describe("runBatch", () => {
  it("processes every document once, retrying transient faults", async () => {
    const script = new Map<string, Array<"5xx" | "bad_json" | "fatal_doc" | "ok">>();
    const { documents, store, provider, events, run } = setup(30, { script });
    script.set(documents[0]!.id, ["5xx", "bad_json", "ok"]);
    script.set(documents[1]!.id, ["fatal_doc"]);
    const summary = await run();
    expect(summary.end).toBe("completed_with_failures");
    expect(summary.counts).toEqual({ pending: 0, verified: 29, needs_review: 0, failed: 1 });
    expect(store.getDocument(documents[1]!.id)?.error?.message).toMatch(/400/);
    expect(provider.calls.get(documents[0]!.id)).toBe(3);
    expect([...provider.paidCalls.values()].every((n) => n === 1)).toBe(true);
    expect(events[0]?.type).toBe("run_started");
    expect(events.at(-1)?.type).toBe("run_finished");
    expect(events.filter((e) => e.type === "retry_scheduled")).toHaveLength(2);
    expect(summary.progress.done).toBe(30);
  });

  it("records a document that cannot be prepared as failed and goes on", async () => {
    const documents = docs(5);
    const store = new MemoryStore();
    const provider = createSimulatedProvider({ latencyMs: () => 5 });
    const pipeline = createFakePipeline({ documents, badIds: new Set([documents[2]!.id]) });
    const summary = await runBatch(FAST, { store, pipeline, provider }, new AbortController().signal, () => {});
    expect(summary.counts.failed).toBe(1);
    expect(summary.counts.verified).toBe(4);
    expect(provider.calls.has(documents[2]!.id)).toBe(false);
  });

  it("reads identical content once and reports the second path", async () => {
    const original = fakeDocument(1);
    const copy = { ...original, primaryPath: "/elsewhere/copy.pdf", sources: [{ ...original.sources[0]!, path: "/elsewhere/copy.pdf" }] };
    const store = new MemoryStore();
    const provider = createSimulatedProvider({ latencyMs: () => 5 });
    const events: BatchEvent[] = [];
    const pipeline = createFakePipeline({ documents: [original, copy, fakeDocument(2)] });
    const summary = await runBatch(FAST, { store, pipeline, provider }, new AbortController().signal, (e) => events.push(e));
    expect(summary.counts.verified).toBe(2);
    expect(summary.duplicates).toBe(1);
    expect(provider.calls.get(original.id)).toBe(1);
    const duplicate = events.find((e) => e.type === "duplicate_content");
    expect(duplicate?.type === "duplicate_content" && duplicate.paths).toEqual([original.primaryPath, "/elsewhere/copy.pdf"]);
  });

  it("stops at the request budget and resumes without asking for finished documents again", async () => {
    const { store, provider, run } = setup(20);
    const first = await run({ maxRequests: 8 });
    expect(first.end).toBe("budget");
    expect(first.counts.verified).toBe(8);
    expect(provider.stats.total).toBe(8);
    const second = await run();
    expect(second.end).toBe("completed");
    expect(second.counts.verified).toBe(20);
    expect(provider.stats.total).toBe(20);
    expect(store.usageTotals().requests).toBe(20);
  });

  it("stops after one request on a 401 that takes 300 ms, within the first request's 400 ms alone", async () => {
    const { provider, run } = setup(50, { unauthorized: true, refusalMs: 300 });
    const summary = await run({ limits: { rps: null, rpm: null, rpd: null }, workers: 16 });
    expect(summary.end).toBe("fatal");
    expect(provider.stats.total).toBe(1);
    expect(summary.counts.pending).toBe(50);
  });

  it("stops the whole batch after one request on a 401", async () => {
    const { provider, run } = setup(50, { unauthorized: true });
    const summary = await run({ limits: { rps: null, rpm: null, rpd: null }, workers: 16 });
    expect(summary.end).toBe("fatal");
    expect(summary.message).toMatch(/401/);
    expect(provider.stats.total).toBe(1);
    expect(summary.counts.pending).toBe(50);
  });

  it("stops at the provider's daily cap with the reset time, and a new day completes", async () => {
    const { provider, run } = setup(12, { dailyCap: 5 });
    const first = await run();
    expect(first.end).toBe("quota");
    expect(first.quotaResetAt).toMatch(/T00:00:00.000Z$/);
    expect(first.counts.verified).toBe(5);
    provider.resetDay();
    const second = await run();
    expect(second.end).toBe("quota");
    expect(second.counts.verified).toBe(10);
    provider.resetDay();
    const third = await run();
    expect(third.end).toBe("completed");
    expect([...provider.paidCalls.values()].every((n) => n === 1)).toBe(true);
  });

  it("stops at the client's daily limit before sending", async () => {
    const { provider, run } = setup(6);
    const summary = await run({ limits: { rps: 100, rpm: null, rpd: 4 } });
    expect(summary.end).toBe("quota");
    expect(provider.stats.total).toBe(4);
    expect(summary.counts.verified).toBe(4);
  });

  it("cancels promptly, leaving unfinished documents pending, and resumes", async () => {
    // On a fake clock: "promptly" is the engine's own time from the abort to the end of the run.
    const clock = new FakeClock();
    const store = new MemoryStore();
    const provider = createSimulatedProvider({ latencyMs: () => 300, clock });
    const pipeline = createFakePipeline({ documents: docs(40) });
    const untilDone = async <T>(running: Promise<T>): Promise<T> => {
      let finished = false;
      void running.finally(() => {
        finished = true;
      });
      while (!finished) await clock.advance(5);
      return running;
    };
    const run = (rps: number, signal: AbortSignal) =>
      runBatch({ ...FAST, limits: { rps, rpm: null, rpd: null } }, { store, pipeline, provider, clock }, signal, () => {});
    const controller = new AbortController();
    const started = clock.now();
    clock.setTimer(400, () => controller.abort());
    const first = await untilDone(run(20, controller.signal));
    expect(clock.now() - started).toBeLessThan(1_500);
    expect(first.end).toBe("cancelled");
    expect(first.counts.pending).toBeGreaterThan(0);
    const second = await untilDone(run(200, new AbortController().signal));
    expect(second.end).toBe("completed");
    expect([...provider.paidCalls.values()].every((n) => n === 1)).toBe(true);
  });

  it("keeps the limiter busy: throughput close to the limit with enough requests in flight", async () => {
    // On a fake clock: the pacing is measured in the engine's own time, not this machine's speed.
    const clock = new FakeClock();
    const documents = docs(60);
    const provider = createSimulatedProvider({ latencyMs: () => 200, clock });
    const running = runBatch(
      { ...FAST, limits: { rps: 40, rpm: null, rpd: null } },
      { store: new MemoryStore(), pipeline: createFakePipeline({ documents }), provider, clock },
      new AbortController().signal,
      () => {},
    );
    const started = clock.now();
    let finished = false;
    void running.finally(() => {
      finished = true;
    });
    while (!finished) await clock.advance(5);
    const summary = await running;
    const seconds = (clock.now() - started) / 1000;
    expect(summary.end).toBe("completed");
    // 60 requests at 40/s is 1.5 s of pacing plus one 200 ms latency (and the first request alone).
    expect(seconds).toBeLessThan(2.6);
  });

  it("records an input that never became a document as failed, with a result for the exports", async () => {
    const dir = mkdtempSync(join(tmpdir(), "engine-rejected-"));
    try {
      writeFileSync(join(dir, "empty.pdf"), "");
      writeFileSync(join(dir, "good.pdf"), "content");
      const store = new MemoryStore();
      const provider = createSimulatedProvider({ latencyMs: () => 1 });
      const summary = await runBatch(
        { ...FAST, inputs: [dir] },
        { store, pipeline: createFakePipeline(), provider },
        new AbortController().signal,
        () => {},
      );
      expect(summary.end).toBe("completed_with_failures");
      expect(summary.rejected).toBe(1);
      expect(summary.counts).toMatchObject({ verified: 1, failed: 1 });
      const stored = store.getResult(rejectedInputId(join(dir, "empty.pdf")));
      expect(stored?.ok && stored.value.error?.code).toBe("empty_file");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
