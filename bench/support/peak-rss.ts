import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = join(fileURLToPath(new URL("../..", import.meta.url)), "bin/ballot-ocr.js");

export interface CliRun {
  readonly code: number | null;
  /** The child's maximum resident set (every thread), from /usr/bin/time; NaN if it printed none. */
  readonly peakKb: number;
  readonly seconds: number;
  /** User + system CPU of the child, every thread; NaN if /usr/bin/time printed none. */
  readonly cpuSeconds: number;
  /** The last 4,000 characters of its standard error. */
  readonly stderr: string;
}

/**
 * How the CLI is started: `bin` runs `bin/ballot-ocr.js` itself, as the README does, so its `#!`
 * line's runtime settings apply (see the launcher); `node` runs `node bin/ballot-ocr.js`, which
 * skips them. BENCH_LAUNCH=node picks the second for every bench that uses this runner.
 */
export type Launch = "bin" | "node";

export function benchLaunch(): Launch {
  return process.env["BENCH_LAUNCH"] === "node" ? "node" : "bin";
}

/** Runs the built CLI (`bin/ballot-ocr.js`, dist/) under /usr/bin/time for its peak RSS. */
export function runCliForPeakRss(args: readonly string[], env: NodeJS.ProcessEnv = process.env, launch = benchLaunch()): Promise<CliRun> {
  return new Promise((resolve) => {
    const started = performance.now();
    const command = launch === "bin" ? [BIN, ...args] : [process.execPath, BIN, ...args];
    const child = spawn("/usr/bin/time", ["-f", "PEAK_KB %M CPU_S %U %S", ...command], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    child.on("close", (code) => {
      const peak = /PEAK_KB (\d+) CPU_S ([\d.]+) ([\d.]+)/.exec(stderr);
      resolve({
        code,
        peakKb: peak ? Number(peak[1]) : Number.NaN,
        cpuSeconds: peak ? Number(peak[2]) + Number(peak[3]) : Number.NaN,
        seconds: (performance.now() - started) / 1000,
        stderr,
      });
    });
  });
}
