import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { constituencyTruth } from "../support/hand-made-forms.js";
import { type FakeProvider, startFakeProvider } from "../support/fake-provider.js";
import { modelReplyFromTruth } from "../support/model-reply-from-truth.js";
import { type CliProcess, coordinatorArgs, fakeProviderEnv, runCli, workerArgs } from "./support/cli-process.js";
import { raiseProviderPriority } from "./support/provider-priority.js";
import { startTestRedis, type TestRedis } from "./support/redis-server.js";
import { writeTinyDocuments } from "./support/tiny-documents.js";

const DOCUMENTS = 300;
const PROVIDER_RPS = 20;

describe("scale-out: a coordinator and 3 workers on BullMQ", () => {
  let redis: TestRedis;
  let provider: FakeProvider;
  let providerStartedAt: number;
  let dir: string;
  let restorePriority = () => {};

  beforeAll(async () => {
    redis = await startTestRedis();
    // The provider's count of requests per sliding second is the measurement: it must not be
    // skewed by its own process waiting for CPU behind the fleet it counts.
    restorePriority = raiseProviderPriority();
    dir = mkdtempSync(join(tmpdir(), "ballot-scale-"));
    await writeTinyDocuments(join(dir, "scans"), DOCUMENTS, { perFolder: 100 });
    const reply = modelReplyFromTruth(constituencyTruth());
    providerStartedAt = Date.now();
    provider = await startFakeProvider({ answer: () => reply, latencyMs: 150, rateLimit: { perSecond: PROVIDER_RPS } });
  });

  afterAll(async () => {
    await provider?.close();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    restorePriority();
  });

  it("reads every document once within the provider's limit while a worker is SIGKILLed", async () => {
    const queueUrl = `${redis.url}?queue=it-${process.pid}-${Date.now()}`;
    const out = join(dir, "out");
    const env = fakeProviderEnv(provider.baseUrl);
    let finished = 0;
    const coordinator = runCli(
      coordinatorArgs(join(dir, "scans"), out, queueUrl, { rps: PROVIDER_RPS }, "--progress", "json"),
      env,
      (line) => {
        if (line.includes('"document_finished"') || line.includes('"document_failed"')) finished++;
      },
    );
    const workers: CliProcess[] = [0, 1, 2].map(() => runCli(workerArgs(queueUrl, 6, "--stall-timeout", "2"), env));
    // Kill one worker with SIGKILL mid-run, with jobs in its hands.
    while (finished < DOCUMENTS / 3) await delay(100);
    workers[0]?.child.kill("SIGKILL");

    const code = await Promise.race([coordinator.exited, delay(100_000).then(() => "timeout")]);
    for (const worker of workers.slice(1)) worker.child.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
    expect(code, coordinator.stderr().slice(-2000)).toBe(0);

    // Every document done once: one stored result each, one results.jsonl row each.
    const db = new Database(join(out, "state.sqlite"), { readonly: true });
    const statuses = db.prepare("SELECT status, COUNT(*) AS n FROM documents GROUP BY status").all() as { status: string; n: number }[];
    const results = db.prepare("SELECT r.document_id AS id, r.json FROM results r").all() as { id: string; json: string }[];
    const okAttempts = db
      .prepare("SELECT document_id AS id, COUNT(*) AS n FROM attempts WHERE outcome = 'ok' GROUP BY document_id")
      .all() as { id: string; n: number }[];
    db.close();
    expect(statuses.filter((s) => s.status === "pending")).toEqual([]);
    expect(results).toHaveLength(DOCUMENTS);
    const lines = readFileSync(join(out, "results.jsonl"), "utf8").trim().split("\n");
    expect(new Set(lines.map((l) => (JSON.parse(l) as { document: { id: string } }).document.id)).size).toBe(DOCUMENTS);
    expect(lines).toHaveLength(DOCUMENTS);
    expect(okAttempts.every((a) => a.n === 1)).toBe(true);

    // The provider's limit was never exceeded (its own sliding-window count), and never answered 429.
    const stats = provider.stats();
    expect(stats.maxPerSecond).toBeLessThanOrEqual(PROVIDER_RPS);
    expect(stats.rateLimited429).toBe(0);

    // No finished document was requested again: every request of a document started before its result.
    const finishedAt = new Map(
      results.map((r) => [r.id, Date.parse((JSON.parse(r.json) as { provenance: { finishedAt: string } }).provenance.finishedAt)]),
    );
    const late = provider.requests.filter(
      (r) => r.documentId !== null && providerStartedAt + r.at > (finishedAt.get(r.documentId) ?? Number.POSITIVE_INFINITY) + 50,
    );
    expect(late).toEqual([]);
    // Only documents in the killed worker's hands were sent twice.
    const twice = [...stats.byDocument.values()].filter((d) => d.requests > 1).length;
    expect(twice).toBeLessThanOrEqual(6);
    expect(stats.byDocument.size).toBe(DOCUMENTS);
  }, 120_000);
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
