import { resolve } from "node:path";
import { resolveRunReference } from "../../workspace/run-reference.js";
import { openRunFolder } from "../../workspace/run-folder.js";
import { resultAppender } from "../../workspace/results-appender.js";
import type { RateLimits } from "../../batch/rate-limiter.js";
import { type CliContext, onStopSignals } from "../cli-context.js";
import { describeLimits, limitsFrom, type ProcessCommandOptions, sharedRunSettings } from "./process-options.js";
import { finishRun, runProgressRenderer } from "./run-frame.js";
import { discoverByFolder } from "../../ingest/discover.js";
import { resolveProviderConfig } from "../../providers/config.js";
import { DEFAULT_PROVIDER, isProviderName, presetForBaseUrl, providerPreset } from "../../providers/presets.js";
import { DEFAULT_WINDOW, runCoordinator } from "../../scale/coordinator.js";
import { parseQueueUrl, REDIS_PASSWORD_ENV } from "../../scale/queue-url.js";

/** The options `process` gains for scale-out (added beside the local ones). */
export interface QueueProcessOptions extends ProcessCommandOptions {
  queue: string;
  queueWindow?: number;
}

/** A usage problem, reported by the caller as exit code 2. */
export type UsageErrorFactory = (message: string) => Error;

/**
 * `ballot-ocr process <inputs...> --out DIR --queue redis://…`: the coordinator. The same outputs,
 * progress and exit codes as a local run; the reading is done by `ballot-ocr worker` processes.
 */
export async function runQueuedProcess(
  inputs: string[],
  options: QueueProcessOptions,
  context: CliContext,
  usageError: UsageErrorFactory,
  command: string,
): Promise<number> {
  const location = parseQueueUrl(options.queue, context.env);
  if (!location.ok) throw usageError(location.error);
  const limits = fleetLimits(options, context.env);
  const given = await resolveRunReference(null, options.reference);
  if (!given.ok) throw usageError(given.error);
  const outDir = resolve(options.out);
  const folder = await openRunFolder(outDir, "coordinator", given.value);
  if (!folder.ok) throw usageError(folder.error);
  const { lock, store } = folder.value;
  const reference = folder.value.reference?.reference;
  const referencePath = folder.value.reference?.dir ?? null;
  store.setMeta("last_command", command);
  store.setMeta("limits", JSON.stringify(limits));
  store.setMeta("queue", location.value.display);

  // The stored command has no Redis credentials; say where they come from on resume.
  const resumeCommand = location.value.hadCredentials
    ? `${command}   # Redis credentials are not stored: give them in --queue again or set ${REDIS_PASSWORD_ENV}`
    : command;
  const controller = new AbortController();
  const removeStopSignals = onStopSignals(
    context,
    controller,
    "stopping the coordinator — workers finish the jobs already queued; their results are collected on resume",
    resumeCommand,
  );
  const renderer = runProgressRenderer(options.progress, context);
  renderer.log(
    `queue: ${location.value.display} (queue "${location.value.queueName}"); limits for all workers together: ${describeLimits(limits)}`,
  );
  try {
    const summary = await runCoordinator(
      {
        inputs,
        limits,
        window: options.queueWindow ?? DEFAULT_WINDOW,
        // Retry policy, timeout, budgets (fleet-wide, counted in Redis), quota waiting, retry-failed.
        ...sharedRunSettings(options),
        requestMode: options.requestMode,
        reask: options.reask,
        referencePath,
        witnesses: {
          local: options.witness !== false,
          cropReask: options.cropReask !== false,
          acceptSingleWitness: options.acceptSingleWitness === true,
        },
        maxInFlight: options.workers ?? null,
        ...envNumber(context.env, "BALLOT_OCR_SCALE_GUARD_MS", "guardMs"),
      },
      {
        store,
        location: location.value,
        discover: (paths, signal) => discoverByFolder(paths, { signal }),
        onResult: resultAppender(outDir),
        log: (line) => renderer.log(line),
      },
      controller.signal,
      (event) => renderer.onEvent(event),
    );
    renderer.stop();
    return await finishRun(
      {
        kind: "queued",
        summary,
        store,
        outDir,
        outArg: options.out,
        command,
        resumeCommand,
        provider: "scale-out workers",
        model: "see provenance",
        reference,
        pdf: options.pdf !== false,
      },
      context,
    );
  } finally {
    renderer.stop();
    removeStopSignals();
    lock.release();
    store.close();
  }
}

/**
 * The limits of the whole fleet: --rps/--rpm/--rpd, else the preset of the provider named by
 * --provider/--model (or the BALLOT_OCR_* environment). The coordinator needs no key for that.
 */
function fleetLimits(options: ProcessCommandOptions, env: NodeJS.ProcessEnv): RateLimits {
  let defaults: RateLimits = { rps: null, rpm: null, rpd: null };
  const named = (options.provider ?? env["BALLOT_OCR_PROVIDER"] ?? "").toLowerCase();
  // Workers reading with the local CPU reader send nothing remote: no fleet limit by default.
  if (named === "local") return limitsFrom(options, defaults);
  const config = resolveProviderConfig({ provider: options.provider, baseUrl: options.baseUrl, model: options.model, env });
  if (config.ok) defaults = config.value.limits;
  else {
    const name = (options.provider ?? env["BALLOT_OCR_PROVIDER"] ?? "").toLowerCase();
    const baseUrl = options.baseUrl ?? env["BALLOT_OCR_BASE_URL"];
    const preset = isProviderName(name) ? providerPreset(name) : baseUrl ? presetForBaseUrl(baseUrl) : providerPreset(DEFAULT_PROVIDER);
    if (preset) defaults = preset.limitsFor(options.model ?? env["BALLOT_OCR_MODEL"] ?? preset.defaultModel);
  }
  return limitsFrom(options, defaults);
}

function envNumber<K extends string>(env: NodeJS.ProcessEnv, name: string, key: K): Partial<Record<K, number>> {
  const text = env[name];
  if (text === undefined || text.trim() === "") return {};
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? ({ [key]: Math.round(value) } as Partial<Record<K, number>>) : {};
}
