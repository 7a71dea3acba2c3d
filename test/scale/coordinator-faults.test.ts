import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { constituencyTruth } from "../support/hand-made-forms.js";
import { type FakeProvider, startFakeProvider } from "../support/fake-provider.js";
import { modelReplyFromTruth } from "../support/model-reply-from-truth.js";
import { coordinatorArgs, fakeProviderEnv, runCli, workerArgs } from "./support/cli-process.js";
import { startTestRedis, type TestRedis } from "./support/redis-server.js";
import { writeTinyDocuments } from "./support/tiny-documents.js";

const reply = modelReplyFromTruth(constituencyTruth());

describe("scale-out: coordinator crash, daily quota, bad key", () => {
  let redis: TestRedis;
  let dir: string;
  const providers: FakeProvider[] = [];
  const queueUrl = (name: string) => `${redis.url}?queue=${name}-${process.pid}-${Date.now()}`;
  const envFor = (provider: FakeProvider) => fakeProviderEnv(provider.baseUrl);

  beforeAll(async () => {
    redis = await startTestRedis();
    dir = mkdtempSync(join(tmpdir(), "ballot-scale-faults-"));
  });

  afterAll(async () => {
    for (const provider of providers) await provider.close();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("a coordinator killed mid-run and run again enqueues nothing twice and sends nothing twice", async () => {
    const scans = join(dir, "resume-scans");
    await writeTinyDocuments(scans, 60);
    const provider = await startFakeProvider({ answer: () => reply, latencyMs: 100 });
    providers.push(provider);
    const queue = queueUrl("resume");
    const out = join(dir, "resume-out");
    const env = envFor(provider);
    const args = coordinatorArgs(scans, out, queue, { rps: 30 }, "--progress", "json", "--queue-window", "20");
    let finished = 0;
    const first = runCli(args, env, (line) => {
      if (line.includes('"document_finished"')) finished++;
    });
    const worker = runCli(workerArgs(queue, 4), env);
    while (finished < 15) await delay(50);
    first.child.kill("SIGKILL");
    await first.exited;
    await delay(500);
    const second = runCli(args, env);
    const code = await second.exited;
    worker.child.kill("SIGTERM");
    await worker.exited;
    expect(code, second.stderr().slice(-1500)).toBe(0);
    const db = new Database(join(out, "state.sqlite"), { readonly: true });
    const done = db.prepare("SELECT COUNT(*) FROM results").pluck().get();
    db.close();
    expect(done).toBe(60);
    const stats = provider.stats();
    expect(stats.byDocument.size).toBe(60);
    expect([...stats.byDocument.values()].every((d) => d.requests === 1)).toBe(true);
  }, 90_000);

  it("a provider stricter than the client: 429s pause every worker, cost no attempt, and lose nothing", async () => {
    const scans = join(dir, "strict-scans");
    await writeTinyDocuments(scans, 24);
    const provider = await startFakeProvider({ answer: () => reply, latencyMs: 50, rateLimit: { perSecond: 4 } });
    providers.push(provider);
    const queue = queueUrl("strict");
    const env = envFor(provider);
    let pauses = 0;
    const coordinator = runCli(
      coordinatorArgs(scans, join(dir, "strict-out"), queue, { rps: 20 }, "--max-attempts", "1", "--progress", "json"),
      env,
      (line) => {
        if (line.includes('"rate_limited"')) pauses++;
      },
    );
    const workers = [0, 1].map(() => runCli(workerArgs(queue, 4), env));
    const code = await coordinator.exited;
    for (const worker of workers) worker.child.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
    // --max-attempts 1: a 429 that spent an attempt would have failed its document.
    expect(code, coordinator.stderr().slice(-1500)).toBe(0);
    const stats = provider.stats();
    expect(stats.rateLimited429).toBeGreaterThan(0);
    expect(pauses).toBeGreaterThan(0);
    expect(stats.answered).toBe(24);
  }, 90_000);

  it("the fleet's --rpd pauses the queue and the coordinator stops with exit 3 and the reset time", async () => {
    const scans = join(dir, "quota-scans");
    await writeTinyDocuments(scans, 12);
    const provider = await startFakeProvider({ answer: () => reply, latencyMs: 20 });
    providers.push(provider);
    const queue = queueUrl("quota");
    const env = envFor(provider);
    const coordinator = runCli(coordinatorArgs(scans, join(dir, "quota-out"), queue, { rps: 20, rpd: 5 }, "--progress", "none"), env);
    const worker = runCli(workerArgs(queue, 2), env);
    const code = await coordinator.exited;
    const status = runCli(["status", "--queue", queue], env);
    expect(await status.exited).toBe(0);
    worker.child.kill("SIGTERM");
    await worker.exited;
    expect(code, coordinator.stderr().slice(-1500)).toBe(3);
    expect(coordinator.stdout()).toMatch(/daily quota is used up; the queue is paused until \d{4}-\d\d-\d\dT00:00:00\.000Z/);
    expect(provider.stats().totalRequests).toBe(5);
    expect(status.stdout()).toMatch(/Daily quota used up/);
    expect(status.stdout()).toMatch(/Jobs: \d+ waiting/);
  }, 90_000);

  it("a worker with a bad key stops after one request and hands its jobs back", async () => {
    const scans = join(dir, "auth-scans");
    await writeTinyDocuments(scans, 10);
    const provider = await startFakeProvider({ answer: () => reply, auth: "reject" });
    providers.push(provider);
    const queue = queueUrl("auth");
    const env = envFor(provider);
    const coordinator = runCli(coordinatorArgs(scans, join(dir, "auth-out"), queue, { rps: 20 }, "--progress", "none"), env);
    const worker = runCli(workerArgs(queue, 4), env);
    expect(await worker.exited).toBe(2);
    expect(worker.stderr()).toMatch(/401|auth|key/i);
    expect(provider.stats().totalRequests).toBe(1);
    // With every worker stopped, the coordinator says so and exits 2; the documents stay pending.
    expect(await coordinator.exited).toBe(2);
    expect(coordinator.stderr()).toMatch(/every worker stopped/);
  }, 90_000);
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
