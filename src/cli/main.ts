import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { type CliContext, registerProcessCommand, UsageError } from "./commands/process.js";
import { registerReferenceCommand } from "./commands/reference.js";
import { registerReportCommand } from "./commands/report.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerStatusCommand } from "./commands/status.js";
import { registerSynthCommand } from "./commands/synth.js";
import { registerThaiNumberCommand } from "./commands/thai-number.js";
import { registerWorkerCommand } from "./commands/worker.js";

function packageVersion(): string {
  try {
    const raw = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    return (JSON.parse(raw) as { version?: string }).version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/**
 * The CLI. Returns the exit code instead of exiting, so tests and bin/ballot-ocr.js decide:
 * 0 ok, 1 some documents failed, 2 usage or configuration error, 3 budget or daily quota, 130 cancelled.
 */
export async function main(argv: string[], overrides: Partial<CliContext> = {}): Promise<number> {
  let exitCode: number | null = null;
  const context: CliContext = {
    argv,
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    stderrIsTTY: Boolean(process.stderr.isTTY),
    setExitCode: (code) => {
      exitCode = code;
    },
    exit: (code) => process.exit(code),
    ...overrides,
  };
  const program = new Command("ballot-ocr")
    .description("Turn scanned Thai election tally forms (ส.ส. 5/16, 5/17, 5/18) into verified vote counts.")
    .version(packageVersion())
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    });
  registerProcessCommand(program, context);
  registerStatusCommand(program, context);
  registerReportCommand(program, context);
  registerSynthCommand(program);
  registerThaiNumberCommand(program);
  registerServeCommand(program);
  registerReferenceCommand(program);
  registerWorkerCommand(program, context);

  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      context.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    context.stderr.write(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
  return exitCode ?? (typeof process.exitCode === "number" ? process.exitCode : 0);
}

// `tsx src/cli/main.ts …` (npm run dev) runs the CLI directly; importing this module does not.
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  process.exitCode = await main(process.argv);
}
