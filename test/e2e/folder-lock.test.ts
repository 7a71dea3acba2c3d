import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteStore } from "../../src/storage/sqlite-store.js";
import { LOCK_FILE } from "../../src/workspace/folder-lock.js";
import { statePath } from "../../src/workspace/state-path.js";
import { finishedIds, runCli, waitFor } from "./support/cli-run.js";
import { useSynthBatch } from "./support/synth-batch.js";

/**
 * The folder lock under the faults that broke the PID-file lock: a restart straight after
 * kill -9, many starts at once, and stale lock state left in the folder. Runs the built CLI
 * against the fake server on 127.0.0.1.
 */
const COUNT = 8;
const batch = useSynthBatch("folder-lock", COUNT);

describe("ballot-ocr process: one run per output folder", () => {
  it("restarts at once after kill -9, 20 times in a row, then completes", { timeout: 900_000 }, async () => {
    // Slow answers: each run is killed while its requests are in flight.
    const server = await batch.fakeServer({ latencyMs: 1_500 });
    const out = join(batch.root(), "killed-20");
    let run = runCli(batch.processArgs(server, out));
    for (let kill = 1; kill <= 20; kill++) {
      const seen = server.stats().totalRequests;
      const reading = await waitFor(() => server.stats().totalRequests > seen || run.child.exitCode !== null, 60_000);
      expect(reading, `run ${kill} sent nothing within 60 s`).toBe(true);
      expect(run.child.exitCode, `run ${kill} exited by itself: ${run.stdout()} ${run.stderr()}`).toBeNull();
      run.child.kill("SIGKILL");
      const killed = run;
      // The same command again at once, while the killed process may not even be reaped yet.
      run = runCli(batch.processArgs(server, out));
      expect((await killed.done).signal).toBe("SIGKILL");
    }
    const last = await run.done;
    expect(last.stderr).not.toMatch(/is using/);
    expect(last.code).toBe(0);
    expect(finishedIds(out)).toHaveLength(COUNT);
  });

  it("8 concurrent starts on one folder: exactly one runs, the other 7 exit 2 and say why", { timeout: 600_000 }, async () => {
    const server = await batch.fakeServer({ latencyMs: 200 });
    const out = join(batch.root(), "concurrent");
    // --rps 1 keeps the winner busy for several seconds, longer than every loser takes to start.
    // No witness: its crop re-asks of disputed cells would add requests that say nothing about the lock.
    const runs = Array.from({ length: 8 }, () => runCli(batch.processArgs(server, out, "--rps", "1", "--no-witness")));
    const ends = await Promise.all(runs.map((r) => r.done));
    const codes = ends.map((e) => e.code).sort();
    expect(codes).toEqual([0, 2, 2, 2, 2, 2, 2, 2]);
    for (const end of ends.filter((e) => e.code === 2)) {
      expect(end.stderr).toMatch(/another run \(pid \d+, started [^)]+\) is using .*concurrent; wait for it or stop it first/);
    }
    // One batch's worth of requests: each document read once, not once per start.
    const perDocument = [...server.stats().byDocument.values()].map((d) => d.requests);
    expect(perDocument).toHaveLength(COUNT);
    expect(perDocument.every((n) => n === 1)).toBe(true);
    expect(finishedIds(out)).toHaveLength(COUNT);
  });

  it("no stale lock state blocks a run: unreadable JSON, a live PID, a garbage lock file", { timeout: 600_000 }, async () => {
    const server = await batch.fakeServer({ latencyMs: 10 });
    const out = join(batch.root(), "stale");
    const first = await runCli(batch.processArgs(server, out)).done;
    expect(first.code).toBe(0);
    for (const value of ["{not json", JSON.stringify({ pid: 1 }), JSON.stringify({ pid: process.pid, at: "now" })]) {
      const store = SqliteStore.open(statePath(out));
      store.setMeta("lock", value);
      store.close();
      writeFileSync(join(out, LOCK_FILE), value);
      const again = await runCli(batch.processArgs(server, out, "--retry-failed")).done;
      expect(again.stderr).not.toMatch(/is using|internal error/);
      expect(again.code).toBe(0);
    }
    const status = await runCli(["status", "--out", out]).done;
    expect(status.code).toBe(0);
    expect(status.stdout).not.toMatch(/A run is in progress/);
  });
});
