import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = join(fileURLToPath(new URL("../..", import.meta.url)), "bin/ballot-ocr.js");

export interface CliRun {
  readonly code: number | null;
  /** The child's maximum resident set (every thread), from /usr/bin/time; NaN if it printed none. */
  readonly peakKb: number;
  readonly seconds: number;
  /** The last 4,000 characters of its standard error. */
  readonly stderr: string;
}

/** Runs the built CLI (`bin/ballot-ocr.js`, dist/) under /usr/bin/time for its peak RSS. */
export function runCliForPeakRss(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn("/usr/bin/time", ["-f", "PEAK_KB %M", process.execPath, BIN, ...args], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    child.on("close", (code) => {
      const peak = /PEAK_KB (\d+)/.exec(stderr);
      resolve({ code, peakKb: peak ? Number(peak[1]) : Number.NaN, seconds: (performance.now() - started) / 1000, stderr });
    });
  });
}
