import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { type Command, Option } from "commander";
import { utcDayStart } from "../../batch/clock.js";
import { estimateDuration, estimateLocalRead, planBatch } from "../../batch/dry-run.js";
import { DEFAULT_MAX_WORKERS, runBatch } from "../../batch/engine.js";
import type { RunEnd } from "../../batch/events.js";
import { resultAppender } from "../../workspace/results-appender.js";
import { openRunFolder } from "../../workspace/run-folder.js";
import { resolveRunReference, type RunReference } from "../../workspace/run-reference.js";
import { statePath } from "../../workspace/state-path.js";
import type { RateLimits } from "../../batch/rate-limiter.js";
import { DEFAULT_RETRY_POLICY } from "../../batch/retry-policy.js";
import { createStandardPipeline } from "../../batch/standard-pipeline.js";
import { closeWitnesses, createWitnessTally, describeWitnesses, witnessSources } from "../../local/witness-setup.js";
import { type ReaderSetup, readerSetup } from "../../local/reader-setup.js";
import { VERIFY_WHEN } from "../../extract/second-model.js";
import { resolveReaderConfig } from "../../providers/config.js";
import { DEFAULT_PROVIDER, isProviderName, providerPreset, READER_NAMES_TEXT } from "../../providers/presets.js";
import { MemoryStore } from "../../storage/memory-store.js";
import { SqliteStore } from "../../storage/sqlite-store.js";
import type { Store } from "../../storage/store.js";
import { PROGRESS_MODES } from "../progress/progress-renderer.js";
import { finishRun, runProgressRenderer } from "./run-frame.js";
import { createOpenAICompatibleProvider } from "../../providers/openai-compatible.js";
import { describeVerifier, type VerifierPlan, verifierFrom } from "./verify-options.js";
import {
  describeLimits,
  limitsFrom,
  limitValue,
  positiveInteger,
  positiveNumber,
  type ProcessCommandOptions,
  sharedRunSettings,
} from "./process-options.js";

export { type CliContext, UsageError, shellCommand, quoteArg } from "../cli-context.js";
import { type CliContext, onStopSignals, quoteArg, UsageError, shellCommand } from "../cli-context.js";
import { lineWriter } from "../terminal-text.js";

const LIMITS_HELP = `
Client-side limits (--rps, --rpm, --rpd) all apply together; 0 turns one off. Defaults come from the
provider preset: OpenRouter ":free" models 20 rpm and 50 per UTC day; other OpenRouter models 5 rps
and 300 rpm; OpenAI 5 rps and 500 rpm; Gemini 10 rpm; Ollama, LM Studio and vLLM none.

Re-running the same command with the same --out resumes: finished documents (by content hash) are
skipped. Exit codes: 0 all verified or needs_review; 1 some failed (reasons recorded); 2 usage or
configuration error; 3 stopped by a budget or the daily quota (resumable); 130 cancelled (resumable).`;

/** `ballot-ocr process <files-or-folders...> --out DIR`. */
export function registerProcessCommand(program: Command, context: CliContext): void {
  program
    .command("process")
    .description("read scanned tally forms into checked results, within the provider's limits; re-run to resume")
    .argument("<inputs...>", "files or folders (walked recursively)")
    .requiredOption("--out <dir>", "output folder: results.jsonl, votes.csv, summary.md and the state store")
    .option(
      "--workers <n>",
      `most requests in flight (default: automatic by Little's law, at most ${DEFAULT_MAX_WORKERS})`,
      positiveInteger("--workers"),
    )
    .option("--rps <n>", "client limit: requests per second (0 = none)", limitValue("--rps"))
    .option("--rpm <n>", "client limit: requests per minute (0 = none)", limitValue("--rpm"))
    .option("--rpd <n>", "client limit: requests per UTC day (0 = none)", limitValue("--rpd"))
    .option(
      "--max-attempts <n>",
      `attempts per request for invalid output; transient errors (5xx, timeouts) get at least ${DEFAULT_RETRY_POLICY.transientAttempts}`,
      positiveInteger("--max-attempts"),
      DEFAULT_RETRY_POLICY.maxAttempts,
    )
    .option("--timeout <seconds>", "per-request timeout", positiveNumber("--timeout"), 120)
    .option("--max-requests <n>", "stop before sending more requests than this in this run", positiveInteger("--max-requests"))
    .option(
      "--max-cost <usd>",
      "stop before this run's cost would exceed this (estimated from the average so far)",
      positiveNumber("--max-cost"),
    )
    .option("--dry-run", "list documents, pages and requests and estimate the time; send nothing")
    .addOption(
      new Option("--progress <mode>", "progress display (auto: a bar on a terminal, else a few lines)")
        .choices(PROGRESS_MODES)
        .default("auto"),
    )
    .option("--wait-for-quota", "when the daily quota runs out, wait for the reset and carry on instead of stopping")
    .addOption(
      new Option("--request-mode <mode>", "one request per document or per count page").choices(["document", "page"]).default("document"),
    )
    .option("--no-reask", "do not re-ask the model when checks fail")
    .option(
      "--no-witness",
      "do not read the pages with the offline reader beside a remote model (its readings are the free second witness)",
    )
    .option(
      "--accept-single-witness",
      'verify forms whose cells rest on one reader when every check passes; each carries assurance "checks"',
    )
    .option("--no-crop-reask", "do not ask the model again about disputed cells with a crop of their row")
    .option("--reference <dir>", "ECT reference snapshot for names and extra checks (recorded: a resume keeps it)")
    .option("--retry-failed", "try documents that failed in an earlier run again")
    .option("--no-pdf", "do not write the PDF reports (pdf/)")
    // Scale-out (src/scale): with --queue this run is a coordinator and workers do the reading.
    .option(
      "--queue <url>",
      "scale out: coordinate `ballot-ocr worker` processes through this Redis queue (redis://HOST:PORT[/DB][?queue=NAME])",
    )
    .option("--queue-window <n>", "with --queue: most jobs kept in Redis at once", positiveInteger("--queue-window"))
    .option(
      "--provider <name>",
      `${READER_NAMES_TEXT} (env BALLOT_OCR_PROVIDER; default: local when no key is set; with a key, cascade is recommended: it sends only what the local reader cannot verify)`,
    )
    .option(
      "--cascade-remote <preset>",
      "with --provider cascade: the vision model preset for forms the local reader cannot verify (env BALLOT_OCR_CASCADE_REMOTE; default openrouter)",
    )
    .option("--base-url <url>", "OpenAI-compatible base URL (env BALLOT_OCR_BASE_URL)")
    .option("--model <name>", "vision model (env BALLOT_OCR_MODEL)")
    .option(
      "--verify-with <preset[:model]>",
      "a second model that reads independently, e.g. openai:gpt-4.1-mini (key: BALLOT_OCR_VERIFY_API_KEY, else the preset's own variable)",
    )
    .addOption(
      new Option(
        "--verify-when <when>",
        "with --verify-with: read only forms with a disputed or single-witness cell, or every form",
      ).choices(VERIFY_WHEN),
    )
    .option("--verify-base-url <url>", "with --verify-with: the second model's OpenAI-compatible base URL")
    .addHelpText("after", LIMITS_HELP)
    .action(async (inputs: string[], options: ProcessCommandOptions) => {
      context.setExitCode(await runProcess(inputs, options, context));
    });
}

/** A mistyped input path is a usage error, found before anything is created or sent. */
export function refuseMissingInputs(inputs: readonly string[]): void {
  const missing = inputs.filter((input) => !existsSync(input));
  if (missing.length === 0) return;
  const list = missing.map(quoteArg).join(", ");
  throw new UsageError(`${missing.length === 1 ? "input not found" : "inputs not found"}: ${list} (nothing was created or sent)`);
}

export async function runProcess(inputs: string[], options: ProcessCommandOptions, context: CliContext): Promise<number> {
  refuseMissingInputs(inputs);
  // Scale-out (src/scale): the coordinator has its own run loop; without --queue nothing changes.
  if (options.queue !== undefined && !options.dryRun) {
    // Workers take their one provider from their own environment; a second model is not wired through the queue.
    if (options.verifyWith !== undefined) throw new UsageError("--verify-with is not available with --queue (run it without --queue)");
    const { runQueuedProcess } = await import("./process-queued.js");
    const { argvWithoutQueueCredentials } = await import("../../scale/queue-url.js");
    // The Redis password is never stored or printed: the resume command carries the URL without it.
    const command = shellCommand(argvWithoutQueueCredentials(context.argv));
    return runQueuedProcess(inputs, { ...options, queue: options.queue }, context, (message) => new UsageError(message), command);
  }
  const outDir = resolve(options.out);
  const config = resolveReaderConfig({
    provider: options.provider,
    baseUrl: options.baseUrl,
    model: options.model,
    cascadeRemote: options.cascadeRemote,
    env: context.env,
  });
  // A --reference that does not load is refused before anything is created.
  const given = await resolveRunReference(null, options.reference);
  if (!given.ok) throw new UsageError(given.error);

  const verifier = verifierFrom(options, context.env);
  if (!verifier.ok) throw new UsageError(verifier.error);
  if (options.dryRun) {
    return dryRun(
      inputs,
      options,
      context,
      config.ok ? readerSetup(config.value) : null,
      config.ok ? null : config.error,
      given.value,
      verifier.value,
    );
  }
  if (!config.ok) throw new UsageError(config.error);
  const provider = readerSetup(config.value);
  const limits = limitsFrom(options, provider.limits);
  const second = verifier.value;

  const folder = await openRunFolder(outDir, "process", given.value);
  if (!folder.ok) throw new UsageError(folder.error);
  const { lock, store, reference: usedReference } = folder.value;
  const reference = usedReference?.reference;
  const reader = provider.createProvider({ timeoutMs: options.timeout * 1000 });
  const witnessTally = createWitnessTally();
  const witnesses = witnessSources(reader, {
    localWitness: options.witness !== false,
    cropReask: options.reask && options.cropReask && provider.canReask ? { source: `${provider.provider}:${provider.model}` } : null,
    secondModel: second?.settings ?? null,
  });
  const pipeline = createStandardPipeline({
    requestMode: options.requestMode,
    reask: options.reask && provider.canReask,
    providerName: provider.provider,
    model: provider.model,
    ...(reference ? { reference } : {}),
    witnesses,
    verdict: { acceptSingleWitness: options.acceptSingleWitness === true },
  });
  const command = shellCommand(context.argv);
  store.setMeta("last_command", command);
  store.setMeta("provider", JSON.stringify(provider.toJSON()));
  store.setMeta("limits", JSON.stringify(limits));
  if (second) store.setMeta("verifier", JSON.stringify({ ...second.config.toJSON(), when: second.settings.when }));

  const controller = new AbortController();
  const removeStopSignals = onStopSignals(
    context,
    controller,
    "stopping — in-flight requests are being cancelled; press Ctrl-C again to quit at once",
    command,
  );

  const renderer = runProgressRenderer(options.progress, context);
  if (provider.notice) renderer.log(provider.notice);
  if (usedReference?.from === "recorded")
    renderer.log(`reference: ${usedReference.dir} (recorded in this folder; --reference DIR to use another)`);
  renderer.log(`provider: ${provider.describe()}; limits: ${describeLimits(limits)}`);
  renderer.log(describeWitnesses(witnesses, options.acceptSingleWitness === true));
  if (second) renderer.log(`${describeVerifier(second)}; limits: ${describeLimits(second.config.limits)}`);
  let end: RunEnd = "fatal";
  // Every worker thread is let finish its current step (a cancelled one stops at its next page):
  // exiting while a thread is inside sharp or onnxruntime aborts the process instead of exiting.
  const closeThreads = () => Promise.all([pipeline.close(), closeWitnesses(witnesses), reader.close?.()]);
  try {
    const summary = await runBatch(
      {
        inputs,
        limits,
        workers: options.workers ?? null,
        ...sharedRunSettings(options),
      },
      {
        store,
        pipeline,
        provider: reader,
        onResult: witnessTally.wrap(resultAppender(outDir)),
        ...(second
          ? {
              verifier: {
                provider: createOpenAICompatibleProvider(second.config, { timeoutMs: options.timeout * 1000 }),
                limits: second.config.limits,
              },
            }
          : {}),
      },
      controller.signal,
      (event) => renderer.onEvent(event),
    );
    renderer.stop();
    // The threads' memory is given back before the exports (the PDF charts need their own).
    await closeThreads();
    end = summary.end;
    store.setMeta(
      "last_run",
      JSON.stringify({ end, message: summary.message, quotaResetAt: summary.quotaResetAt, at: new Date().toISOString() }),
    );
    return await finishRun(
      {
        kind: "local",
        summary,
        store,
        outDir,
        outArg: options.out,
        command,
        resumeCommand: command,
        provider: provider.provider,
        model: provider.model,
        reference,
        pdf: options.pdf !== false,
        extraLines: [
          witnessTally.describe(),
          summary.verifier
            ? `Second model: ${summary.verifier.requests} requests, cost $${summary.verifier.costUsd.toFixed(4)} (included in the run's requests and cost below).`
            : null,
        ].filter((line): line is string => Boolean(line)),
      },
      context,
    );
  } finally {
    renderer.stop();
    removeStopSignals();
    lock.release();
    await closeThreads();
    store.close();
  }
}

async function dryRun(
  inputs: string[],
  options: ProcessCommandOptions,
  context: CliContext,
  config: Pick<ReaderSetup, "provider" | "model" | "limits" | "canReask" | "localCpuSecondsPerPage" | "describe"> | null,
  configError: string | null,
  given: RunReference | null,
  second: VerifierPlan | null,
): Promise<number> {
  const out = lineWriter((text) => context.stdout.write(text));
  let defaults: RateLimits = { rps: null, rpm: null, rpd: null };
  let providerName = "unknown";
  let model = "unknown";
  if (config) {
    defaults = config.limits;
    providerName = config.provider;
    model = config.model;
    out(`Dry run: nothing is sent. Provider: ${config.describe()}`);
  } else {
    const name = (options.provider ?? context.env["BALLOT_OCR_PROVIDER"] ?? DEFAULT_PROVIDER).toLowerCase();
    if (isProviderName(name)) {
      const preset = providerPreset(name);
      model = options.model ?? context.env["BALLOT_OCR_MODEL"] ?? preset.defaultModel;
      defaults = preset.limitsFor(model);
      providerName = name;
    }
    out(`Dry run: nothing is sent. Provider not ready (${configError}); using the ${providerName} preset's limits.`);
  }
  const limits = limitsFrom(options, defaults);
  const file = statePath(resolve(options.out));
  const store: Store = existsSync(file) ? SqliteStore.open(file) : new MemoryStore();
  const recorded = given ? null : await resolveRunReference(store, undefined);
  if (recorded && !recorded.ok) {
    store.close();
    throw new UsageError(recorded.error);
  }
  const reference = (given ?? recorded?.value)?.reference;
  const pipeline = createStandardPipeline({
    requestMode: options.requestMode,
    reask: options.reask,
    providerName,
    model,
    ...(reference ? { reference } : {}),
  });
  try {
    const plan = await planBatch(inputs, pipeline, store, new AbortController().signal);
    out(
      `Documents: ${plan.documents.length} (${plan.alreadyDone} already finished, ${plan.toProcess} to process), ${plan.rejected.length} rejected, ${plan.duplicatePaths} duplicate paths`,
    );
    const shown = plan.documents.slice(0, 50);
    for (const doc of shown) {
      const detail =
        doc.error !== null
          ? `error: ${doc.error}`
          : doc.pages === null
            ? doc.status === "new" || doc.status === "pending"
              ? "not sampled"
              : ""
            : `${doc.pages} page${doc.pages === 1 ? "" : "s"}, ${doc.sentPages} sent → ${doc.requests} request${doc.requests === 1 ? "" : "s"}`;
      out(`  ${doc.path}  [${doc.status}] ${detail}`.trimEnd());
    }
    if (plan.documents.length > shown.length) out(`  … ${plan.documents.length - shown.length} more`);
    for (const rejected of plan.rejected) out(`  rejected: ${rejected.path}: ${rejected.error.message}`);
    const read = config?.provider === "local" ? "read" : "sent";
    out(
      `Pages: ${plan.pages} (${plan.sentPages} ${read}, ${plan.pages - plan.sentPages} not ${read}: signature pages)${plan.sampled ? " — extrapolated from a sample" : ""}`,
    );
    // The offline reader reads on this machine's CPU: no requests, and no second model to re-ask.
    const localRead =
      config && config.localCpuSecondsPerPage !== null
        ? estimateLocalRead(plan.sentPages, config.localCpuSecondsPerPage, availableParallelism())
        : null;
    if (localRead && config?.provider === "local") {
      out(`Reads: ${plan.toProcess} document(s) with the offline reader on this machine's CPU: no requests, no re-asks, no cost`);
      out(`Estimate: ${localRead.text}`);
      return 0;
    }
    if (localRead) out(`Local first: ${localRead.text}; only what it cannot verify is sent`);
    const reask = options.reask && (config?.canReask ?? true);
    const reaskNote = reask ? ` (+ up to ${plan.toProcess} re-asks where checks fail; retries on top)` : " (retries on top)";
    out(`Requests: ${localRead ? "at most " : ""}${plan.requests} first reads in ${options.requestMode} mode${reaskNote}`);
    const now = Date.now();
    const usedToday = store.countRequestsSince(utcDayStart(now));
    out(`Limits: ${describeLimits(limits)}${limits.rpd === null ? "" : `; ${usedToday} used today`}`);
    out(`Estimate: ${estimateDuration(plan.requests, limits, usedToday, now).text}`);
    if (reask && plan.toProcess > 0) {
      out(`Worst case with every re-ask: ${estimateDuration(plan.requests + plan.toProcess, limits, usedToday, now).text}`);
    }
    if (second) {
      // The second model reads on its own limiter, in parallel with the first: the run takes the longer of the two.
      const which = second.settings.when === "always" ? "every form" : "at most, only forms with a disputed or single-witness cell";
      const secondLimits = second.config.limits;
      const secondToday = store.countRequestsSince(utcDayStart(now), "verify");
      out(`Second model: ${second.config.describe()}`);
      out(
        `  Requests: ${plan.requests} reads (${which}); limits: ${describeLimits(secondLimits)}${secondLimits.rpd === null ? "" : `; ${secondToday} used today`}`,
      );
      out(`  Estimate: ${estimateDuration(plan.requests, secondLimits, secondToday, now).text}`);
      out(`Both models: up to ${plan.requests * 2} first and second reads; --max-requests and --max-cost count both.`);
    }
    return 0;
  } finally {
    await pipeline.close();
    store.close();
  }
}
