import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BatchEvent } from "../../src/batch/events.js";
import type { Discovery } from "../../src/batch/pipeline.js";
import { DEFAULT_RETRY_POLICY } from "../../src/batch/retry-policy.js";
import { discoverDocuments } from "../../src/ingest/discover.js";
import { runCoordinator } from "../../src/scale/coordinator.js";
import { parseQueueUrl } from "../../src/scale/queue-url.js";
import { SqliteStore } from "../../src/storage/sqlite-store.js";
import { constituencyTruth } from "../support/hand-made-forms.js";
import { type FakeProvider, startFakeProvider } from "../support/fake-provider.js";
import { modelReplyFromTruth } from "../support/model-reply-from-truth.js";
import { fakeProviderEnv, runCli, workerArgs } from "./support/cli-process.js";
import { startTestRedis, type TestRedis } from "./support/redis-server.js";
import { writeTinyDocuments } from "./support/tiny-documents.js";

describe("scale-out: the coordinator enqueues while discovery goes on", () => {
  let redis: TestRedis;
  let dir: string;
  let provider: FakeProvider;

  beforeAll(async () => {
    redis = await startTestRedis();
    dir = mkdtempSync(join(tmpdir(), "ballot-scale-discovery-"));
    provider = await startFakeProvider({ answer: () => modelReplyFromTruth(constituencyTruth()), latencyMs: 20 });
  });

  afterAll(async () => {
    await provider?.close();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("workers read the first folder while the second is still being discovered; each document is read once", async () => {
    const scans = join(dir, "scans");
    await writeTinyDocuments(scans, 20);
    const { documents } = await discoverDocuments([scans]);
    const first = documents.slice(0, 10);
    const rest = documents.slice(10);
    const queueUrl = `${redis.url}?queue=discovery-${process.pid}-${Date.now()}`;
    const location = parseQueueUrl(queueUrl);
    if (!location.ok) throw new Error(location.error);
    const store = SqliteStore.open(join(dir, "state.sqlite"));
    const events: BatchEvent[] = [];
    let firstCollected: () => void = () => {};
    const collected = new Promise<void>((resolve) => {
      firstCollected = resolve;
    });
    const worker = runCli(workerArgs(queueUrl, 4), fakeProviderEnv(provider.baseUrl));
    try {
      const summary = await runCoordinator(
        {
          inputs: [scans],
          limits: { rps: 50, rpm: null, rpd: null },
          window: 50,
          retry: DEFAULT_RETRY_POLICY,
          timeoutMs: 10_000,
          requestMode: "document",
          reask: false,
          referencePath: null,
          witnesses: { local: false, cropReask: false, acceptSingleWitness: false },
          waitForQuota: false,
          pollMs: 50,
        },
        {
          store,
          location: location.value,
          async *discover(): AsyncGenerator<Discovery> {
            yield { documents: first, rejected: [] };
            // The rest is found only after the workers have finished a document of the first part.
            await collected;
            yield { documents: rest, rejected: [] };
          },
        },
        new AbortController().signal,
        (event) => {
          events.push(event);
          if (event.type === "document_finished") firstCollected();
        },
      );
      expect(summary.end, worker.stderr().slice(-1000)).toBe("completed");
      expect(summary.counts.verified + summary.counts.needs_review).toBe(20);
      expect(events[0]).toMatchObject({ type: "run_started", discovering: true, total: 10 });
      expect(events.find((e) => e.type === "discovery_finished")).toMatchObject({ total: 20, toProcess: 20, alreadyDone: 0 });
      const stats = provider.stats();
      expect(stats.byDocument.size).toBe(20);
      expect([...stats.byDocument.values()].every((d) => d.requests === 1)).toBe(true);
    } finally {
      store.close();
      worker.child.kill("SIGTERM");
      await worker.exited;
    }
  }, 90_000);
});
