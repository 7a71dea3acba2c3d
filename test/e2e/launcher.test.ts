import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { finishedIds, runCli, waitFor } from "./support/cli-run.js";
import { useSynthBatch } from "./support/synth-batch.js";

/**
 * `bin/ballot-ocr.js` run as a program (the README's way) starts Node with its memory settings
 * through the `#!` line, in the same process: what is killed is the run itself, and the folder
 * lock goes with it.
 */
const COUNT = 3;
const batch = useSynthBatch("launcher", COUNT);

function readProc(pid: number, file: "cmdline" | "environ"): string[] {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "latin1").split("\0");
  } catch {
    return [];
  }
}

describe("the launcher", () => {
  it.runIf(process.platform === "linux")(
    "starts Node with the memory settings in the process it was given, so kill -9 stops the run and a restart completes",
    { timeout: 120_000 },
    async () => {
      const server = await batch.fakeServer({ latencyMs: 1_500 });
      const out = join(batch.root(), "launched");
      const first = runCli(batch.processArgs(server, out, "--no-witness"), {}, "bin");
      const pid = first.child.pid!;
      // `env -S` replaces itself with node: same pid, node's command line.
      expect(await waitFor(() => readProc(pid, "cmdline").includes("--max-semi-space-size=2"), 30_000)).toBe(true);
      const environment = readProc(pid, "environ");
      expect(environment).toContain("MALLOC_ARENA_MAX=2");
      expect(environment).toContain("MALLOC_MMAP_THRESHOLD_=131072");
      expect(await waitFor(() => server.stats().totalRequests > 0, 60_000)).toBe(true);
      first.child.kill("SIGKILL");
      expect((await first.done).signal).toBe("SIGKILL");
      const second = await runCli(batch.processArgs(server, out, "--no-witness"), {}, "bin").done;
      expect(second.stderr).not.toMatch(/is using/);
      expect(second.code).toBe(0);
      expect(finishedIds(out)).toHaveLength(COUNT);
    },
  );
});
