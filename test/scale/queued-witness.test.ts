import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FormResult } from "../../src/forms/form-result.js";
import { readTruthBySha } from "../e2e/support/cli-run.js";
import { generateTestForms } from "../e2e/support/synth-batch.js";
import { type FakeProvider, startFakeProvider } from "../support/fake-provider.js";
import { fakeProviderEnv, runCli, workerArgs } from "./support/cli-process.js";
import { startTestRedis, type TestRedis } from "./support/redis-server.js";

const COUNT = 4;

/** A queued run hears the same witnesses as a local one, and the coordinator's flags reach the workers. */
describe("process --queue: the witnesses run on the workers", () => {
  let redis: TestRedis;
  let provider: FakeProvider;
  let dir: string;

  beforeAll(async () => {
    redis = await startTestRedis();
    dir = mkdtempSync(join(tmpdir(), "ballot-queued-witness-"));
    await generateTestForms(join(dir, "forms"), COUNT);
    provider = await startFakeProvider({ truth: readTruthBySha(join(dir, "forms")), latencyMs: 50 });
  }, 120_000);

  afterAll(async () => {
    await provider?.close();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function queuedRun(name: string, ...flags: string[]): Promise<{ results: FormResult[]; workerLog: string }> {
    const queueUrl = `${redis.url}?queue=${name}-${process.pid}-${Date.now()}`;
    const out = join(dir, name);
    const env = fakeProviderEnv(provider.baseUrl, { BALLOT_OCR_API_KEY: "test-key" });
    const args = ["process", join(dir, "forms"), "--out", out, "--queue", queueUrl, "--rps", "20", "--no-pdf", ...flags];
    const coordinator = runCli(args, env);
    const worker = runCli(workerArgs(queueUrl, 2), env);
    const code = await coordinator.exited;
    worker.child.kill("SIGTERM");
    await worker.exited;
    expect([0, 1], coordinator.stderr().slice(-2000)).toContain(code);
    const results = readFileSync(join(out, "results.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as FormResult);
    return { results, workerLog: worker.stderr() + worker.stdout() };
  }

  const localWitnesses = (results: readonly FormResult[]) =>
    results.flatMap((r) => r.votes.flatMap((v) => (v.witnesses ?? []).filter((w) => w.kind === "local")));

  it("records the offline reader's readings beside the model's, as a local run does", async () => {
    const { results, workerLog } = await queuedRun("witness");
    expect(results).toHaveLength(COUNT);
    expect(workerLog).toMatch(/witnesses: local reader/);
    expect(localWitnesses(results).length).toBeGreaterThan(0);
    // Every vote cell has a verdict, and no form rests on the checks alone.
    expect(results.every((r) => r.votes.every((v) => v.verdict !== undefined))).toBe(true);
    expect(results.some((r) => r.assurance === "checks")).toBe(false);
  }, 180_000);

  it("--no-witness and --accept-single-witness on the coordinator reach the workers", async () => {
    const { results, workerLog } = await queuedRun("no-witness", "--no-witness", "--accept-single-witness");
    expect(results).toHaveLength(COUNT);
    expect(workerLog).toMatch(/single-witness forms accepted/);
    expect(localWitnesses(results)).toEqual([]);
    const verified = results.filter((r) => r.status === "verified");
    expect(verified.length).toBeGreaterThan(0);
    expect(verified.every((r) => r.assurance === "checks")).toBe(true);
  }, 180_000);
});
