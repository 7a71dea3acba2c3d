import path from "node:path";
import type { DocumentPipeline } from "../batch/pipeline.js";
import { err, ok, type Result } from "../basics/result.js";
import { readerSetup } from "../local/reader-setup.js";
import { resolveReaderConfig } from "../providers/config.js";
import { DEFAULT_PROVIDER, isProviderName, LOCAL_READER_NAMES, PROVIDER_NAMES, providerPreset } from "../providers/presets.js";
import { loadReference } from "../reference/load-reference.js";
import type { Reference } from "../reference/reference.js";
import { statePath } from "../workspace/state-path.js";
import { SqliteStore } from "../storage/sqlite-store.js";
import { generateAccessToken, isLoopbackHost } from "./access.js";
import { createEngineRunner } from "./engine-runner.js";
import type { PublicDefaults, RunLimits, RunSettings } from "./ports.js";
import { createWebServer, type WebServer } from "./server.js";
import { StoreBackend } from "./store-backend.js";
import type { UploadLimits } from "./upload-store.js";

export interface WebAppOptions {
  readonly host: string;
  readonly port: number;
  readonly outDir: string;
  /** Given token; undefined = generate one when the host is not loopback. */
  readonly token?: string | undefined;
  readonly provider?: string | undefined;
  readonly baseUrl?: string | undefined;
  readonly model?: string | undefined;
  readonly limits: RunLimits;
  readonly env: NodeJS.ProcessEnv;
  readonly referenceDir?: string | undefined;
  readonly uploadLimits?: UploadLimits | undefined;
  readonly log: (line: string) => void;
  /** Tests and benchmarks: a different document pipeline for the engine. */
  readonly pipeline?: (settings: RunSettings, providerName: string, model: string) => DocumentPipeline;
}

export interface WebApp {
  readonly url: string;
  /** Null on loopback without --token. */
  readonly token: string | null;
  readonly server: WebServer;
  close(): Promise<void>;
}

/** `ballot-ocr serve`: opens the workspace store, wires the engine, and listens. */
export async function startWebApp(options: WebAppOptions): Promise<Result<WebApp, string>> {
  const loopback = isLoopbackHost(options.host);
  const token = options.token ?? (loopback ? null : generateAccessToken());
  if (token !== null && token.length < 16) return err("--token must be at least 16 characters");

  const resolved = resolveReaderConfig({ provider: options.provider, baseUrl: options.baseUrl, model: options.model, env: options.env });
  // The page can choose any preset, the offline reader, or the cascade; never type a URL.
  const choices = [...PROVIDER_NAMES, ...LOCAL_READER_NAMES];
  let defaults: PublicDefaults;
  let secrets: string[] = [];
  if (resolved.ok && resolved.value.kind === "remote") {
    const config = resolved.value.remote;
    const key = config.apiKey?.reveal();
    if (key !== undefined) secrets = [key];
    defaults = {
      provider: config.provider,
      model: config.model,
      baseUrl: config.baseUrl,
      // "custom" is the server's own --base-url; the page can pick it but never type a URL.
      providers: config.provider === "custom" ? [...choices, "custom"] : choices,
      keyConfigured: config.apiKey !== null,
      limits: mergeLimits(config.limits, options.limits),
    };
  } else if (resolved.ok) {
    const reader = readerSetup(resolved.value);
    const remote = resolved.value.kind === "cascade" ? resolved.value.remote : null;
    const key = remote?.apiKey?.reveal();
    if (key !== undefined) secrets = [key];
    defaults = {
      provider: reader.provider,
      model: reader.model,
      baseUrl: remote?.baseUrl ?? "",
      providers: choices,
      keyConfigured: remote?.apiKey != null,
      limits: mergeLimits(reader.limits, options.limits),
    };
    if (reader.notice !== null) options.log(`note: ${reader.notice}`);
  } else {
    // A bad setting (e.g. a preset without its key): still serve the results; a run will say what is missing.
    const name = options.provider !== undefined && isProviderName(options.provider) ? options.provider : DEFAULT_PROVIDER;
    const preset = providerPreset(name);
    const model = options.model ?? preset.defaultModel;
    defaults = {
      provider: name,
      model,
      baseUrl: options.baseUrl ?? preset.baseUrl,
      providers: choices,
      keyConfigured: false,
      limits: mergeLimits(preset.limitsFor(model), options.limits),
    };
    options.log(`note: ${resolved.error}`);
  }
  defaults = { ...defaults, ceilings: options.limits };
  // Every key variable any preset reads is scrubbed from responses, not only the chosen one.
  for (const name of new Set(PROVIDER_NAMES.flatMap((p) => providerPreset(p).keyEnvVars))) {
    const value = options.env[name];
    if (value !== undefined && value.trim().length >= 6) secrets.push(value.trim());
  }

  let reference: Reference | undefined;
  if (options.referenceDir !== undefined) {
    const loaded = await loadReference(options.referenceDir);
    if (!loaded.ok) return err(`reference data: ${loaded.error.message}`);
    reference = loaded.value;
  }

  const outDir = path.resolve(options.outDir);
  const store = SqliteStore.open(statePath(outDir));
  const runner = createEngineRunner({
    store,
    outDir,
    serverProvider: defaults.provider,
    serverBaseUrl: options.baseUrl,
    env: options.env,
    ...(reference !== undefined ? { reference } : {}),
    ...(options.pipeline !== undefined ? { pipeline: options.pipeline } : {}),
  });
  const backend = new StoreBackend({
    store,
    outDir,
    runner,
    defaults,
    secrets,
    ...(reference !== undefined ? { reference } : {}),
  });
  const server = await createWebServer({
    outDir,
    backend,
    token,
    loopbackHosts: ["127.0.0.1", "localhost", "[::1]", options.host],
    ...(options.uploadLimits !== undefined ? { uploadLimits: options.uploadLimits } : {}),
    log: options.log,
  });
  try {
    await server.app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await server.close();
    return err(`cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`);
  }
  const address = server.app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  const shownHost = options.host === "0.0.0.0" || options.host === "::" ? "127.0.0.1" : options.host;
  const hostPart = shownHost.includes(":") && !shownHost.startsWith("[") ? `[${shownHost}]` : shownHost;
  const url = `http://${hostPart}:${port}/${token !== null ? `?token=${encodeURIComponent(token)}` : ""}`;
  return ok({ url, token, server, close: () => server.close() });
}

function mergeLimits(preset: { rps: number | null; rpm: number | null; rpd: number | null }, given: RunLimits): RunLimits {
  const out: Record<string, number> = {};
  if (preset.rps !== null) out["rps"] = preset.rps;
  if (preset.rpm !== null) out["rpm"] = preset.rpm;
  if (preset.rpd !== null) out["rpd"] = preset.rpd;
  for (const [key, value] of Object.entries(given)) if (typeof value === "number") out[key] = value;
  return out as RunLimits;
}
