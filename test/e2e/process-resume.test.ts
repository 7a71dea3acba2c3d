import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useSynthBatch } from "./support/synth-batch.js";
import type { FakeProvider } from "../support/fake-provider.js";
import { finishedIds, resultLines, runCli, waitFor } from "./support/cli-run.js";

/**
 * Stopping and resuming, end to end: kill -9, Ctrl-C and the daily cap, each followed by the same
 * command again (`node bin/ballot-ocr.js process`, built dist/), against the fake server on 127.0.0.1.
 */
const COUNT = 10;
const batch = useSynthBatch("process-resume", COUNT);
const fakeServer = batch.fakeServer;
const args = batch.processArgs;

function requestCounts(server: FakeProvider): Map<string, number> {
  return new Map([...server.stats().byDocument].map(([id, entry]) => [id, entry.requests]));
}

describe("ballot-ocr process: stop and resume", () => {
  it("survives kill -9: the same command completes and no finished document is requested again", async () => {
    const server = await fakeServer({ latencyMs: 100 });
    const out = join(batch.root(), "killed");
    const first = runCli(args(server, out, "--rps", "2"));
    const reached = await waitFor(() => resultLines(out).length >= 3, 30_000);
    expect(reached).toBe(true);
    first.child.kill("SIGKILL");
    const killed = await first.done;
    expect(killed.signal).toBe("SIGKILL");
    const finished = finishedIds(out);
    expect(finished.length).toBeGreaterThanOrEqual(3);
    expect(finished.length).toBeLessThan(COUNT);
    const countsAtKill = requestCounts(server);

    const second = await runCli(args(server, out)).done;
    expect(second.code).toBe(0);
    const countsAfter = requestCounts(server);
    for (const id of finished) expect(countsAfter.get(id)).toBe(countsAtKill.get(id));
    expect(finishedIds(out)).toHaveLength(COUNT);
    expect(new Set(resultLines(out).map((r) => r.document.id)).size).toBe(COUNT);
  });

  it("stops on the first SIGINT within about 2 s with exit 130, then resumes", async () => {
    const server = await fakeServer({ latencyMs: 400 });
    const out = join(batch.root(), "sigint");
    const first = runCli(args(server, out, "--rps", "2"));
    expect(await waitFor(() => resultLines(out).length >= 2, 30_000)).toBe(true);
    const sentAt = Date.now();
    first.child.kill("SIGINT");
    const stopped = await first.done;
    const tookMs = Date.now() - sentAt;
    expect(stopped.code).toBe(130);
    expect(tookMs).toBeLessThan(2_500);
    expect(stopped.stdout).toMatch(/Resume with: ballot-ocr process/);
    const second = await runCli(args(server, out)).done;
    expect(second.code).toBe(0);
    expect(finishedIds(out)).toHaveLength(COUNT);
  });

  it("stops at the daily cap with exit 3 and the reset time; the next day resumes and completes", async () => {
    const server = await fakeServer({ dailyCap: 6 });
    const out = join(batch.root(), "daily");
    const first = await runCli(args(server, out)).done;
    expect(first.code).toBe(3);
    expect(first.stdout).toMatch(/daily quota is used up\. It resets at \d{4}-\d\d-\d\dT00:00:00\.000Z/);
    expect(first.stdout).toMatch(/Resume after the reset with: ballot-ocr process/);
    expect(finishedIds(out)).toHaveLength(6);
    server.resetDailyCount();
    const second = await runCli(args(server, out)).done;
    expect(second.code).toBe(0);
    expect(finishedIds(out)).toHaveLength(COUNT);
  });
});
