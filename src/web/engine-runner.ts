import { runBatch } from "../batch/engine.js";
import { takeFolderLock } from "../workspace/folder-lock.js";
import { resultAppender } from "../workspace/results-appender.js";
import type { DocumentPipeline } from "../batch/pipeline.js";
import { DEFAULT_RETRY_POLICY } from "../batch/retry-policy.js";
import { createStandardPipeline } from "../batch/standard-pipeline.js";
import { witnessSources } from "../local/witness-setup.js";
import { DEFAULT_REQUEST_MODE } from "../extract/types.js";
import { readerSetup } from "../local/reader-setup.js";
import { resolveReaderConfig } from "../providers/config.js";
import { isLocalReaderName } from "../providers/presets.js";
import type { Store } from "../storage/store.js";
import type { ReferenceLookup } from "../verify/reference-lookup.js";
import type { RunOutcome, RunSettings } from "./ports.js";
import type { BatchRunner } from "./store-backend.js";

/** Same default as `ballot-ocr process --timeout`. */
export const DEFAULT_TIMEOUT_MS = 120_000;

export interface EngineRunnerOptions {
  readonly store: Store;
  readonly outDir: string;
  /** The provider the server was started with: its base URL is only reused for that same provider. */
  readonly serverProvider: string;
  readonly serverBaseUrl: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly reference?: ReferenceLookup;
  /** Replaces the standard pipeline (tests). */
  readonly pipeline?: (settings: RunSettings, providerName: string, model: string) => DocumentPipeline;
}

/**
 * Runs the project's batch engine (runBatch with the standard pipeline, as `ballot-ocr process`
 * does) for the web. The provider is resolved on the server from the page's choice of provider
 * and model; its key comes from the server's environment only.
 */
export function createEngineRunner(options: EngineRunnerOptions): BatchRunner {
  return async (inputDir, settings, signal, onEvent): Promise<RunOutcome> => {
    const sameProvider = settings.provider === options.serverProvider;
    const config = resolveReaderConfig({
      provider: settings.provider === "custom" ? undefined : settings.provider,
      baseUrl: sameProvider ? options.serverBaseUrl : undefined,
      model: isLocalReaderName(settings.provider) ? undefined : settings.model,
      env: options.env,
      // The server's key belongs to what the server was started with, never to the page's pick.
      keyScope: { provider: options.serverProvider, baseUrl: options.serverBaseUrl },
    });
    if (!config.ok) return { end: "fatal", message: config.error };
    const reader = readerSetup(config.value);
    // The same folder lock as `ballot-ocr process`: one run at a time, whichever started it.
    const locked = takeFolderLock(options.outDir, { role: "web" });
    if (!locked.ok) return { end: "fatal", message: locked.error.message };
    locked.value.recordIn(options.store);

    const limits = settings.limits;
    const timeoutMs = limits.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const provider = reader.createProvider({ timeoutMs });
    const pipeline =
      options.pipeline?.(settings, reader.provider, reader.model) ??
      createStandardPipeline({
        requestMode: DEFAULT_REQUEST_MODE,
        reask: reader.canReask,
        providerName: reader.provider,
        model: reader.model,
        ...(options.reference !== undefined ? { reference: options.reference } : {}),
        witnesses: witnessSources(provider, { localWitness: settings.witness !== false }),
        verdict: { acceptSingleWitness: settings.acceptSingleWitness === true },
      });
    try {
      const summary = await runBatch(
        {
          inputs: [inputDir],
          limits: {
            rps: limits.rps ?? reader.limits.rps,
            rpm: limits.rpm ?? reader.limits.rpm,
            rpd: limits.rpd ?? reader.limits.rpd,
          },
          workers: limits.workers ?? null,
          retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: limits.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts },
          timeoutMs,
          maxRequests: limits.maxRequests ?? null,
          maxCostUsd: limits.maxCostUsd ?? null,
          waitForQuota: false,
          retryFailed: true,
        },
        { store: options.store, pipeline, provider, onResult: resultAppender(options.outDir) },
        signal,
        onEvent,
      );
      return { end: summary.end, message: summary.message };
    } finally {
      await pipeline.close();
      locked.value.release();
    }
  };
}
