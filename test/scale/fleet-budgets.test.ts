import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeProvider, startFakeProvider } from "../support/fake-provider.js";
import { constituencyTruth } from "../support/hand-made-forms.js";
import { modelReplyFromTruth } from "../support/model-reply-from-truth.js";
import { coordinatorArgs, fakeProviderEnv, runCli, workerArgs } from "./support/cli-process.js";
import { startTestRedis, type TestRedis } from "./support/redis-server.js";
import { writeTinyDocuments } from "./support/tiny-documents.js";

const reply = modelReplyFromTruth(constituencyTruth());

describe("scale-out: budgets, stopping without Redis, Redis credentials", () => {
  let redis: TestRedis;
  let dir: string;
  const providers: FakeProvider[] = [];
  const queueUrl = (name: string) => `${redis.url}?queue=${name}-${process.pid}-${Date.now()}`;
  const envFor = (provider: FakeProvider) => fakeProviderEnv(provider.baseUrl);

  beforeAll(async () => {
    redis = await startTestRedis();
    dir = mkdtempSync(join(tmpdir(), "ballot-scale-budget-"));
  });

  afterAll(async () => {
    for (const provider of providers) await provider.close();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("--max-requests 100 with --queue stops at exactly 100 requests fleet-wide with exit 3; the resume repeats no paid call", async () => {
    const scans = join(dir, "budget-scans");
    await writeTinyDocuments(scans, 150);
    const provider = await startFakeProvider({ answer: () => reply, latencyMs: 200 });
    providers.push(provider);
    const queue = queueUrl("budget");
    const out = join(dir, "budget-out");
    const env = envFor(provider);
    const base = coordinatorArgs(scans, out, queue, { rps: 40 }, "--no-reask", "--progress", "none");
    const workers = [0, 1].map(() => runCli(workerArgs(queue, 6), env));
    try {
      const first = runCli([...base, "--max-requests", "100", "--workers", "8"], env);
      const code = await first.exited;
      expect(code, first.stderr().slice(-1500)).toBe(3);
      expect(first.stdout()).toMatch(/request budget \(--max-requests 100\) is reached/);
      expect(provider.stats().totalRequests).toBe(100);
      expect(provider.stats().maxInFlight).toBeLessThanOrEqual(8);
      const db = new Database(join(out, "state.sqlite"), { readonly: true });
      expect(db.prepare("SELECT COUNT(*) FROM results").pluck().get()).toBe(100);
      db.close();

      const second = runCli(base, env);
      expect(await second.exited, second.stderr().slice(-1500)).toBe(0);
      const stats = provider.stats();
      expect(stats.totalRequests).toBe(150);
      expect(stats.byDocument.size).toBe(150);
      expect([...stats.byDocument.values()].every((d) => d.requests === 1)).toBe(true);
      expect(readFileSync(join(out, "results.jsonl"), "utf8").trim().split("\n")).toHaveLength(150);
    } finally {
      for (const worker of workers) worker.child.kill("SIGTERM");
      await Promise.all(workers.map((w) => w.exited));
    }
  }, 180_000);

  it("the coordinator stops within seconds on SIGTERM while Redis is down, state saved, exit 130", async () => {
    const own = await startTestRedis({ private: true });
    const scans = join(dir, "down-scans");
    await writeTinyDocuments(scans, 20);
    const provider = await startFakeProvider({ answer: () => reply });
    providers.push(provider);
    const out = join(dir, "down-out");
    let started = false;
    const coordinator = runCli(
      ["process", scans, "--out", out, "--queue", `${own.url}?queue=down`, "--rps", "5", "--progress", "json"],
      envFor(provider),
      (line) => {
        if (line.includes('"run_started"')) started = true;
      },
    );
    while (!started) await delay(50);
    await delay(500);
    await own.stop();
    await delay(1_500);
    const sentAt = Date.now();
    coordinator.child.kill("SIGTERM");
    const code = await Promise.race([coordinator.exited, delay(10_000).then(() => "still running after 10 s")]);
    if (code !== 130) coordinator.child.kill("SIGKILL");
    expect(code, coordinator.stderr().slice(-1500)).toBe(130);
    expect(Date.now() - sentAt).toBeLessThan(5_000);
    expect(coordinator.stdout()).toMatch(/state saved/);
    const db = new Database(join(out, "state.sqlite"), { readonly: true });
    expect(db.prepare("SELECT COUNT(*) FROM documents").pluck().get()).toBe(20);
    db.close();
  }, 60_000);

  it("never stores or prints the Redis password; the resume takes it from the environment", async () => {
    const own = await startTestRedis({ private: true, extraArgs: ["--requirepass", "s3cret-pw"] });
    try {
      const scans = join(dir, "auth-scans");
      await writeTinyDocuments(scans, 6);
      const provider = await startFakeProvider({ answer: () => reply, latencyMs: 50 });
      providers.push(provider);
      const out = join(dir, "auth-out");
      const bare = `redis://127.0.0.1:${own.port}?queue=auth`;
      const withPassword = `redis://:s3cret-pw@127.0.0.1:${own.port}?queue=auth`;
      let started = false;
      const first = runCli(
        ["process", scans, "--out", out, "--queue", withPassword, "--rps", "20", "--progress", "json"],
        envFor(provider),
        (line) => {
          if (line.includes('"run_started"')) started = true;
        },
      );
      while (!started) await delay(50);
      first.child.kill("SIGINT");
      expect(await first.exited, first.stderr().slice(-1500)).toBe(130);
      expect(first.stdout()).toMatch(/Resume \(and collect\) with: .*--queue 'redis:\/\/127\.0\.0\.1:\d+\?queue=auth'/);
      expect(first.stdout()).toMatch(/BALLOT_OCR_REDIS_PASSWORD/);
      for (const text of [first.stdout(), first.stderr()]) expect(text).not.toContain("s3cret-pw");
      const db = new Database(join(out, "state.sqlite"), { readonly: true });
      const meta = db.prepare("SELECT * FROM meta").all();
      db.close();
      expect(JSON.stringify(meta)).not.toContain("s3cret-pw");
      expect(JSON.stringify(meta)).toContain(`127.0.0.1:${own.port}`);

      const status = runCli(["status", "--out", out]);
      const queueStatus = runCli(["status", "--queue", withPassword]);
      expect(await status.exited).toBe(0);
      expect(await queueStatus.exited, queueStatus.stderr()).toBe(0);
      for (const text of [status.stdout(), queueStatus.stdout()]) expect(text).not.toContain("s3cret-pw");

      // Resume with the stored URL, the password from the environment, for the coordinator and a worker.
      const env = { ...envFor(provider), BALLOT_OCR_REDIS_PASSWORD: "s3cret-pw" };
      const worker = runCli(["worker", "--queue", bare, "--concurrency", "2", "--threads", "1"], env);
      const second = runCli(["process", scans, "--out", out, "--queue", bare, "--rps", "20", "--progress", "none"], env);
      const code = await second.exited;
      worker.child.kill("SIGTERM");
      await worker.exited;
      expect(code, second.stderr().slice(-1500)).toBe(0);
      for (const text of [second.stdout(), second.stderr(), worker.stderr()]) expect(text).not.toContain("s3cret-pw");
    } finally {
      await own.stop();
    }
  }, 60_000);
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
