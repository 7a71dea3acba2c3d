/**
 * What every command needs from the outside world, kept in a module with no heavy imports so the
 * CLI can start a command without loading every other command's dependencies.
 */
/** What commands need from the outside world (streams, environment, exit), injected by main. */
export interface CliContext {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stderrIsTTY: boolean;
  setExitCode(code: number): void;
  /** Ends the process at once (a second Ctrl-C). */
  exit(code: number): never;
}

/** A usage or configuration problem: main prints it and exits with 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The command line as the user could type it again (argv[0..1] are node and the script). */
export function shellCommand(argv: readonly string[]): string {
  return ["ballot-ocr", ...argv.slice(2).map(quoteArg)].join(" ");
}

export function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/u.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

/**
 * The first SIGINT or SIGTERM explains what happens and aborts `controller` (a clean, resumable
 * stop); a second one quits at once with 130. Returns a function that removes the handlers.
 */
export function onStopSignals(
  context: CliContext,
  controller: AbortController,
  stoppingMessage: string,
  resumeCommand: string,
): () => void {
  let signals = 0;
  const onSignal = (name: string) => {
    signals++;
    if (signals === 1) {
      context.stderr.write(`\n${name}: ${stoppingMessage}\n`);
      controller.abort();
    } else {
      context.stderr.write(`\nquitting now. Resume with: ${resumeCommand}\n`);
      context.exit(130);
    }
  };
  const sigint = () => onSignal("SIGINT");
  const sigterm = () => onSignal("SIGTERM");
  process.on("SIGINT", sigint);
  process.on("SIGTERM", sigterm);
  return () => {
    process.off("SIGINT", sigint);
    process.off("SIGTERM", sigterm);
  };
}
