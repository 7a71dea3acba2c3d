import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { type CliContext, UsageError } from "./cli-context.js";
import { terminalSafe } from "./terminal-text.js";

type Registrar = (program: Command, context: CliContext) => Promise<void>;

/**
 * Each command's module is imported only when that command runs (or for the full help), so a
 * quick command does not pay for the web server, the canvas or the queue client.
 */
const COMMANDS: Readonly<Record<string, Registrar>> = {
  process: async (program, context) => (await import("./commands/process.js")).registerProcessCommand(program, context),
  status: async (program, context) => (await import("./commands/status.js")).registerStatusCommand(program, context),
  report: async (program, context) => (await import("./commands/report.js")).registerReportCommand(program, context),
  serve: async (program) => (await import("./commands/serve.js")).registerServeCommand(program),
  worker: async (program, context) => (await import("./commands/worker.js")).registerWorkerCommand(program, context),
  reference: async (program) => (await import("./commands/reference.js")).registerReferenceCommand(program),
  synth: async (program, context) => (await import("./commands/synth.js")).registerSynthCommand(program, context),
  "thai-number": async (program) => (await import("./commands/thai-number.js")).registerThaiNumberCommand(program),
};

/** The command named on the command line, or every command (for help and unknown names). */
function commandsToRegister(argv: readonly string[]): Registrar[] {
  const named = argv.slice(2).find((arg) => !arg.startsWith("-"));
  const registrar = named === undefined ? undefined : COMMANDS[named];
  return registrar ? [registrar] : Object.values(COMMANDS);
}

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
  try {
    for (const register of commandsToRegister(argv)) await register(program, context);
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      context.stderr.write(`error: ${terminalSafe(error.message)}\n`);
      return 2;
    }
    context.stderr.write(`internal error: ${terminalSafe(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
    return 1;
  }
  return exitCode ?? (typeof process.exitCode === "number" ? process.exitCode : 0);
}

// `tsx src/cli/main.ts …` (npm run dev) runs the CLI directly; importing this module does not.
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  process.exitCode = await main(process.argv);
}
