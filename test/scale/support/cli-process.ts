import { type ChildProcess, spawn } from "node:child_process";
import { type CliLaunch, cliCommand } from "../../e2e/support/cli-run.js";
import { atNormalPriority } from "./provider-priority.js";

/** `node bin/ballot-ocr.js …` as a child process (needs dist/: npm test builds it first). */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
}

/** `launch`: see CliLaunch (benchmarks of memory start the launcher itself). */
export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  onStderrLine?: (line: string) => void,
  launch: CliLaunch = "node",
): CliProcess {
  const [command, commandArgs] = atNormalPriority(...cliCommand(args, launch));
  const child = spawn(command, commandArgs, {
    env: { ...process.env, ...env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let partial = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
    if (!onStderrLine) return;
    partial += chunk;
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) onStderrLine(line);
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/**
 * A coordinator's command line: `process SCANS --out OUT --queue QUEUE --rps N --rpm 0 --rpd N
 * --no-witness`, then `extra`. These tests are about the fleet's mechanics on tiny grey images;
 * the witnesses of a queued run are tested on generator forms in queued-witness.test.ts.
 */
export function coordinatorArgs(
  scans: string,
  out: string,
  queue: string,
  limits: { readonly rps: number; readonly rpd?: number },
  ...extra: string[]
): string[] {
  return [
    "process",
    scans,
    "--out",
    out,
    "--queue",
    queue,
    "--rps",
    String(limits.rps),
    "--rpm",
    "0",
    "--rpd",
    String(limits.rpd ?? 0),
    "--no-witness",
    ...extra,
  ];
}

/** A worker's command line: `worker --queue QUEUE --concurrency N --threads 1`, then `extra`. */
export function workerArgs(queue: string, concurrency: number, ...extra: string[]): string[] {
  return ["worker", "--queue", queue, "--concurrency", String(concurrency), "--threads", "1", ...extra];
}

/** The environment that points a CLI process at a fake provider. */
export function fakeProviderEnv(baseUrl: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { BALLOT_OCR_BASE_URL: baseUrl, BALLOT_OCR_MODEL: "fake-vision-model", ...extra };
}
