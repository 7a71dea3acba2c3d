import { describe, expect, it } from "vitest";
import { type BatchOptions, runBatch } from "../../../src/batch/engine.js";
import { DEFAULT_RETRY_POLICY } from "../../../src/batch/retry-policy.js";
import { MemoryStore } from "../../../src/storage/memory-store.js";
import { createFakePipeline, FAST_BATCH_OPTIONS, fakeDocument } from "../../e2e/support/fake-pipeline.js";
import { createSimulatedProvider, type ScriptedStep } from "../../e2e/support/simulated-provider.js";

const OPTIONS: BatchOptions = {
  ...FAST_BATCH_OPTIONS,
  retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 5, maxDelayMs: 20 },
  timeoutMs: 60_000,
};

function setup(count: number, script: Map<string, ScriptedStep[]>) {
  const documents = Array.from({ length: count }, (_, i) => fakeDocument(i));
  const store = new MemoryStore();
  const provider = createSimulatedProvider({ latencyMs: () => 10, script });
  const pipeline = createFakePipeline({ documents });
  const saved: string[] = [];
  const run = (options: Partial<BatchOptions> = {}) =>
    runBatch(
      { ...OPTIONS, ...options },
      { store, pipeline, provider, onResult: (r) => saved.push(r.document.id) },
      new AbortController().signal,
      () => {},
    );
  return { documents, store, provider, saved, run };
}

describe("runBatch: the tail", () => {
  it("does not fail a document for a run of transient faults that the default policy can wait out", async () => {
    const script = new Map<string, ScriptedStep[]>();
    const { documents, provider, run } = setup(10, script);
    script.set(documents[3]!.id, ["5xx", "5xx", "5xx", "5xx", "5xx", "ok"]);
    const summary = await run();
    expect(summary.end).toBe("completed");
    expect(summary.counts.failed).toBe(0);
    expect(provider.calls.get(documents[3]!.id)).toBe(6);
  });

  it("still gives invalid output its three attempts only", async () => {
    const script = new Map<string, ScriptedStep[]>();
    const { documents, provider, run } = setup(5, script);
    script.set(documents[0]!.id, ["bad_json", "bad_json", "bad_json", "ok"]);
    const summary = await run();
    expect(summary.counts.failed).toBe(1);
    expect(provider.calls.get(documents[0]!.id)).toBe(3);
  });

  it("hedges a hung request at the end of the run instead of waiting for its timeout; the document is recorded once", async () => {
    const script = new Map<string, ScriptedStep[]>();
    const { documents, provider, saved, run } = setup(30, script);
    const hung = documents[29]!.id;
    script.set(hung, ["hang"]);
    const summary = await run();
    expect(summary.end).toBe("completed");
    expect(summary.counts.verified).toBe(30);
    expect(provider.calls.get(hung)).toBe(2);
    expect(provider.paidCalls.get(hung)).toBe(1);
    expect(saved.filter((id) => id === hung)).toHaveLength(1);
    expect(summary.progress.hedges).toBe(1);
    expect(summary.progress.requests).toBe(31);
  }, 20_000);

  it("gives a hedge that hangs too a copy of its own, at most two copies per request", async () => {
    const script = new Map<string, ScriptedStep[]>();
    const { documents, provider, saved, run } = setup(30, script);
    const twice = documents[28]!.id;
    const always = documents[29]!.id;
    script.set(twice, ["hang", "hang"]);
    script.set(always, ["hang", "hang", "hang", "ok"]);
    const summary = await run({ timeoutMs: 4_000 });
    expect(summary.end).toBe("completed");
    expect(summary.counts.verified).toBe(30);
    // The original, its hedge and the hedge's own copy; the third answers.
    expect(provider.calls.get(twice)).toBe(3);
    expect(provider.paidCalls.get(twice)).toBe(1);
    // Three hung copies wait out the timeout; the retry after it is answered.
    expect(provider.calls.get(always)).toBe(4);
    expect(provider.paidCalls.get(always)).toBe(1);
    expect(saved.filter((id) => id === twice || id === always)).toHaveLength(2);
    // Two copies each; the retry after the timeout may also cut its (few ms of) backoff short.
    expect(summary.progress.hedges).toBeGreaterThanOrEqual(4);
    expect(summary.progress.hedges).toBeLessThanOrEqual(5);
  }, 30_000);

  it("keeps starting documents while earlier requests hang mid-run", async () => {
    const script = new Map<string, ScriptedStep[]>();
    const documents = Array.from({ length: 60 }, (_, i) => fakeDocument(i));
    const hung = new Set(documents.slice(0, 8).map((doc) => doc.id));
    // Eight hangs among the first documents would hold every slot of the target (about four here).
    for (const id of hung) script.set(id, ["hang", "ok"]);
    const provider = createSimulatedProvider({ latencyMs: () => 10, script });
    const started = Date.now();
    let othersDoneAt = 0;
    let others = 0;
    const summary = await runBatch(
      { ...OPTIONS, limits: { rps: 200, rpm: null, rpd: null }, timeoutMs: 6_000 },
      {
        store: new MemoryStore(),
        pipeline: createFakePipeline({ documents }),
        provider,
        onResult: (result) => {
          if (!hung.has(result.document.id) && ++others === 52) othersDoneAt = Date.now() - started;
        },
      },
      new AbortController().signal,
      () => {},
    );
    expect(summary.end).toBe("completed");
    expect(summary.counts.verified).toBe(60);
    // The others did not wait for the hung requests' 6 s timeout.
    expect(othersDoneAt).toBeGreaterThan(0);
    expect(othersDoneAt).toBeLessThan(4_000);
    expect([...provider.paidCalls.values()].every((n) => n === 1)).toBe(true);
  }, 30_000);
});
