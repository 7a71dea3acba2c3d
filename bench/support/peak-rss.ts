import { spawn } from "node:child_process";
import { type CliLaunch, cliCommand } from "../../test/e2e/support/cli-run.js";

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

/** The benches start the CLI as the README does (see CliLaunch); BENCH_LAUNCH=node runs `node bin/…` instead. */
export function benchLaunch(): CliLaunch {
  return process.env["BENCH_LAUNCH"] === "node" ? "node" : "bin";
}

/** Runs the built CLI (`bin/ballot-ocr.js`, dist/) under /usr/bin/time for its peak RSS. */
export function runCliForPeakRss(args: readonly string[], env: NodeJS.ProcessEnv = process.env, launch = benchLaunch()): Promise<CliRun> {
  return new Promise((resolve) => {
    const started = performance.now();
    const [command, commandArgs] = cliCommand(args, launch);
    const child = spawn("/usr/bin/time", ["-f", "PEAK_KB %M CPU_S %U %S", command, ...commandArgs], {
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
