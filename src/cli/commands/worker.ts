import { type Command, InvalidArgumentError } from "commander";
import { READER_NAMES_TEXT } from "../../providers/presets.js";
import { positiveInteger } from "./process-options.js";
import { readerSetup } from "../../local/reader-setup.js";
import { resolveReaderConfig } from "../../providers/config.js";
import { parseQueueUrl } from "../../scale/queue-url.js";
import type { PathMapping } from "../../scale/scale-worker.js";
import { type CliContext, UsageError } from "../cli-context.js";

interface WorkerCommandOptions {
  queue: string;
  concurrency: number;
  threads?: number;
  pathMap: PathMapping[];
  stallTimeout: number;
  provider?: string;
  baseUrl?: string;
  model?: string;
  cascadeRemote?: string;
}

function pathMapping(text: string, previous: PathMapping[]): PathMapping[] {
  const at = text.indexOf("=");
  if (at <= 0 || at === text.length - 1) throw new InvalidArgumentError(`--path-map must look like FROM=TO, got "${text}".`);
  return [...previous, { from: text.slice(0, at), to: text.slice(at + 1) }];
}

function seconds(flag: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0)
      throw new InvalidArgumentError(`${flag} must be a number of seconds above 0, got "${text}".`);
    return value;
  };
}

const WORKER_HELP = `
A worker reads documents for a coordinator (\`ballot-ocr process … --queue URL\`) on any number of
machines. The reader is chosen as for a local run (--provider, or a vision model when a key is set,
else the local CPU reader); only requests to a remote model use the fleet's rate budget. Every worker must see the input files at the path the coordinator discovered them under
(shared storage such as NFS); --path-map rewrites a prefix for a different mount point. The provider
and its key come from this machine's environment (BALLOT_OCR_PROVIDER, BALLOT_OCR_BASE_URL,
BALLOT_OCR_MODEL, OPENROUTER_API_KEY / BALLOT_OCR_API_KEY …); the limits come from the coordinator
and hold for all workers together. Ctrl-C lets running jobs finish; a second Ctrl-C quits at once
(the jobs are recovered by other workers after --stall-timeout).
`;

/** `ballot-ocr worker --queue redis://HOST:PORT [--concurrency N]`. */
export function registerWorkerCommand(program: Command, context: CliContext): void {
  program
    .command("worker")
    .description("read documents from a scale-out queue (run on any number of machines)")
    .requiredOption("--queue <url>", "Redis URL of the coordinator's queue: redis://HOST:PORT[/DB][?queue=NAME]")
    .option("--concurrency <n>", "jobs processed at once by this worker", positiveInteger("--concurrency"), 16)
    .option("--threads <n>", "threads preparing pages (default: the number of cores)", positiveInteger("--threads"))
    .option("--path-map <from=to>", "rewrite a shared-storage path prefix for this machine (repeatable)", pathMapping, [])
    .option(
      "--stall-timeout <seconds>",
      "a job whose worker stopped answering this long is taken over by another",
      seconds("--stall-timeout"),
      30,
    )
    .option(
      "--provider <name>",
      `${READER_NAMES_TEXT} (env BALLOT_OCR_PROVIDER; local: the offline CPU reader; cascade: local first, then a vision model)`,
    )
    .option("--base-url <url>", "OpenAI-compatible base URL (env BALLOT_OCR_BASE_URL)")
    .option("--model <name>", "vision model (env BALLOT_OCR_MODEL)")
    .option(
      "--cascade-remote <preset>",
      "with --provider cascade: the vision model preset for forms the local reader cannot verify (env BALLOT_OCR_CASCADE_REMOTE)",
    )
    .addHelpText("after", WORKER_HELP)
    .action(async (options: WorkerCommandOptions) => {
      context.setExitCode(await runWorker(options, context));
    });
}

async function runWorker(options: WorkerCommandOptions, context: CliContext): Promise<number> {
  const location = parseQueueUrl(options.queue, context.env);
  if (!location.ok) throw new UsageError(location.error);
  // The same reader choice as a local run: a remote vision model, the local CPU reader, or the cascade.
  const reader = resolveReaderConfig({
    provider: options.provider,
    baseUrl: options.baseUrl,
    model: options.model,
    cascadeRemote: options.cascadeRemote,
    env: context.env,
  });
  if (!reader.ok) throw new UsageError(reader.error);
  const setup = readerSetup(reader.value);
  const log = (line: string) => context.stderr.write(`[${new Date().toISOString()}] ${line}\n`);
  if (setup.notice) log(setup.notice);
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: string) => {
    signals++;
    if (signals === 1) {
      log(`${name}: finishing the running jobs, then stopping (again to quit at once)`);
      controller.abort();
    } else {
      context.exit(130);
    }
  };
  const sigint = () => onSignal("SIGINT");
  const sigterm = () => onSignal("SIGTERM");
  process.on("SIGINT", sigint);
  process.on("SIGTERM", sigterm);
  try {
    // Loaded on demand: BullMQ is only needed by this command.
    const { startScaleWorker } = await import("../../scale/scale-worker.js");
    const worker = await startScaleWorker(
      {
        location: location.value,
        concurrency: options.concurrency,
        makeProvider: (config) => setup.createProvider({ timeoutMs: config.timeoutMs }),
        canReask: setup.canReask,
        pathMap: options.pathMap,
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
        lockDurationMs: Math.round(options.stallTimeout * 1000),
        log,
      },
      controller.signal,
    );
    if (worker === null) return 130;
    const end = await worker.ended;
    if (end.kind === "fatal") {
      context.stderr.write(
        `error: ${end.message}\nThis worker stopped after one request; its jobs went back to the queue. Fix this machine's provider configuration and start it again.\n`,
      );
      return 2;
    }
    log("stopped");
    return 0;
  } finally {
    process.off("SIGINT", sigint);
    process.off("SIGTERM", sigterm);
  }
}
