import { describe, expect, it } from "vitest";
import { type BatchOptions, runBatch } from "../../../src/batch/engine.js";
import type { BatchEvent } from "../../../src/batch/events.js";
import type { Discovery, DocumentPipeline } from "../../../src/batch/pipeline.js";
import type { DiscoveredDocument } from "../../../src/ingest/types.js";
import { MemoryStore } from "../../../src/storage/memory-store.js";
import { createFakePipeline, FAST_BATCH_OPTIONS, fakeDocument } from "../../e2e/support/fake-pipeline.js";
import { createSimulatedProvider } from "../../e2e/support/simulated-provider.js";

const OPTIONS: BatchOptions = { ...FAST_BATCH_OPTIONS, limits: { rps: 500, rpm: null, rpd: null } };

/** A fake pipeline whose discovery arrives folder by folder; records which paths were prepared. */
function byFolder(folders: DiscoveredDocument[][]): DocumentPipeline & { prepared: string[] } {
  const base = createFakePipeline({ documents: folders.flat() });
  const prepared: string[] = [];
  return {
    ...base,
    prepared,
    async *discoverByFolder(): AsyncGenerator<Discovery> {
      for (const documents of folders) yield { documents, rejected: [] };
    },
    prepare(doc, signal) {
      prepared.push(doc.primaryPath);
      return base.prepare(doc, signal);
    },
  };
}

const moved = (doc: DiscoveredDocument, folder: string): DiscoveredDocument => {
  const path = doc.primaryPath.replace("/scans", folder);
  return { ...doc, primaryPath: path, sources: doc.sources.map((s) => ({ ...s, path })) };
};

describe("runBatch: discovery recorded folder by folder", () => {
  it("reads every document of every folder once; content seen again in a later folder is a duplicate, read once", async () => {
    const a = [fakeDocument(1), fakeDocument(2)];
    const b = [fakeDocument(3, "/scans/b"), moved(fakeDocument(1), "/copies")];
    const store = new MemoryStore();
    const provider = createSimulatedProvider({ latencyMs: () => 2 });
    const pipeline = byFolder([a, b]);
    const events: BatchEvent[] = [];
    const summary = await runBatch(OPTIONS, { store, pipeline, provider }, new AbortController().signal, (e) => events.push(e));
    expect(summary.end).toBe("completed");
    expect(summary.counts.verified).toBe(3);
    expect(summary.duplicates).toBe(1);
    expect(pipeline.prepared.sort()).toEqual(["/scans/b/unit-3.pdf", "/scans/unit-1.pdf", "/scans/unit-2.pdf"]);
    expect(events.filter((e) => e.type === "duplicate_content")).toHaveLength(1);
    expect([...provider.calls.values()].every((n) => n === 1)).toBe(true);
  });

  it("reads a pending document where this run found it, after its folder moved", async () => {
    const store = new MemoryStore();
    const provider = createSimulatedProvider({ latencyMs: () => 2 });
    const first = await runBatch(
      { ...OPTIONS, maxRequests: 1 },
      { store, pipeline: byFolder([[fakeDocument(1), fakeDocument(2)]]), provider },
      new AbortController().signal,
      () => {},
    );
    expect(first.end).toBe("budget");
    const again = byFolder([[moved(fakeDocument(1), "/new"), moved(fakeDocument(2), "/new")]]);
    const second = await runBatch(OPTIONS, { store, pipeline: again, provider }, new AbortController().signal, () => {});
    expect(second.end).toBe("completed");
    expect(second.counts.verified).toBe(2);
    expect(again.prepared).toEqual(["/new/unit-2.pdf"]);
  });

  it("starts reading the first folder while later folders are still being discovered", async () => {
    const store = new MemoryStore();
    const provider = createSimulatedProvider({ latencyMs: () => 2 });
    let releaseSecond: () => void = () => {};
    const secondFolder = new Promise<void>((resolve) => {
      releaseSecond = resolve;
    });
    const pipeline: DocumentPipeline = {
      ...createFakePipeline({ documents: [fakeDocument(1), fakeDocument(2), fakeDocument(3, "/scans/b")] }),
      async *discoverByFolder(): AsyncGenerator<Discovery> {
        yield { documents: [fakeDocument(1), fakeDocument(2)], rejected: [] };
        // The second folder is found only once the first folder's documents are finished.
        await secondFolder;
        yield {
          documents: [fakeDocument(3, "/scans/b")],
          rejected: [{ path: "/scans/b/broken.pdf", error: { code: "pdf_damaged", message: "damaged" } }],
        };
      },
    };
    const events: BatchEvent[] = [];
    const summary = await runBatch(OPTIONS, { store, pipeline, provider }, new AbortController().signal, (event) => {
      events.push(event);
      if (events.filter((e) => e.type === "document_finished").length === 2) releaseSecond();
    });
    expect(summary.end).toBe("completed_with_failures");
    expect(summary.counts.verified).toBe(3);
    expect(summary.rejected).toBe(1);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("run_started");
    expect(events[0]).toMatchObject({ type: "run_started", total: 2, discovering: true });
    const finishedAt = types.indexOf("discovery_finished");
    expect(finishedAt).toBeGreaterThan(types.indexOf("document_finished"));
    expect(events[finishedAt]).toMatchObject({ total: 4, alreadyDone: 1, toProcess: 3, rejected: 1 });
    expect(summary.progress).toMatchObject({ total: 4, done: 4 });
    expect(summary.progress.discovering).toBeUndefined();
    expect([...provider.calls.values()].every((n) => n === 1)).toBe(true);
  });

  it("a resumed run counts documents finished earlier as they are discovered, and reads only the rest", async () => {
    const store = new MemoryStore();
    const provider = createSimulatedProvider({ latencyMs: () => 2 });
    const folders = [
      [fakeDocument(1), fakeDocument(2)],
      [fakeDocument(3, "/scans/b"), fakeDocument(4, "/scans/b")],
    ];
    const first = await runBatch(
      { ...OPTIONS, maxRequests: 3 },
      { store, pipeline: byFolder(folders), provider },
      new AbortController().signal,
      () => {},
    );
    expect(first.end).toBe("budget");
    const again = byFolder(folders);
    const events: BatchEvent[] = [];
    const second = await runBatch(OPTIONS, { store, pipeline: again, provider }, new AbortController().signal, (e) => events.push(e));
    expect(second.end).toBe("completed");
    expect(second.counts.verified).toBe(4);
    expect(again.prepared).toHaveLength(1);
    expect(second.progress).toMatchObject({ total: 4, done: 4, verified: 4 });
    expect([...provider.calls.values()].every((n) => n === 1)).toBe(true);
    const announced = events.find((e) => e.type === "discovery_finished") ?? events.find((e) => e.type === "run_started");
    expect(announced).toMatchObject({ total: 4, alreadyDone: 3, toProcess: 1 });
  });

  it("a discovery that fails outright stops the run with its error, keeping what was already read", async () => {
    const store = new MemoryStore();
    const provider = createSimulatedProvider({ latencyMs: () => 2 });
    const pipeline: DocumentPipeline = {
      ...createFakePipeline({ documents: [fakeDocument(1)] }),
      async *discoverByFolder(): AsyncGenerator<Discovery> {
        yield { documents: [fakeDocument(1)], rejected: [] };
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw new Error("the file server went away");
      },
    };
    await expect(runBatch(OPTIONS, { store, pipeline, provider }, new AbortController().signal, () => {})).rejects.toThrow(
      "the file server went away",
    );
    expect(store.getDocument(fakeDocument(1).id)?.status).toBe("verified");
  });
});
