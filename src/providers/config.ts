import { err, ok, type Result } from "../basics/result.js";
import {
  type ClientLimits,
  DEFAULT_CASCADE_REMOTE,
  DEFAULT_PROVIDER,
  isProviderName,
  LOCAL_READER_NAMES,
  PROVIDER_NAMES,
  type ProviderName,
  type ProviderPreset,
  hostKey,
  presetForBaseUrl,
  providerPreset,
} from "./presets.js";
import { Secret } from "./secret.js";

/** Where a setting came from, for `describe()` and dry runs. */
export type SettingSource = "flag" | "env" | "preset";

/** Everything needed to talk to one OpenAI-compatible service. Safe to log: the key never serializes. */
export interface ProviderConfig {
  /** Preset name, or "custom" for a base URL that matches no preset. */
  readonly provider: ProviderName | "custom";
  readonly baseUrl: string;
  readonly model: string;
  readonly apiKey: Secret | null;
  /** Name of the environment variable the key came from (never the key). */
  readonly keySource: string | null;
  readonly limits: ClientLimits;
  readonly reportsCost: boolean;
  readonly supportsJsonSchema: boolean;
  readonly maxTokensField: "max_tokens" | "max_completion_tokens";
  /** Output token cap per request when the request sets none; null sends no cap. */
  readonly maxOutputTokens: number | null;
  readonly sources: { readonly provider: SettingSource; readonly baseUrl: SettingSource; readonly model: SettingSource };
  /** One line for people: provider, URL, model, where the key came from. */
  describe(): string;
  toJSON(): Record<string, unknown>;
}

export interface ResolveProviderInput {
  readonly provider?: string | undefined;
  readonly baseUrl?: string | undefined;
  readonly model?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  /**
   * The provider and base URL the process was started with, which BALLOT_OCR_API_KEY belongs to
   * when the environment names none. Default: `provider` and `baseUrl` above (the CLI). The web
   * UI passes the server's own flags here, so the page's choice of another preset gets no key.
   */
  readonly keyScope?: { readonly provider?: string | undefined; readonly baseUrl?: string | undefined } | undefined;
}

export const GENERIC_KEY_VAR = "BALLOT_OCR_API_KEY";
export const VERIFY_KEY_VAR = "BALLOT_OCR_VERIFY_API_KEY";

/** Why a configuration cannot be used; a missing key is told apart so a cascade can run without a remote. */
interface ConfigProblem {
  readonly kind: "missing_key" | "invalid";
  readonly message: string;
}

/** Flags beat BALLOT_OCR_* environment variables, which beat the preset. */
export function resolveProviderConfig(input: ResolveProviderInput): Result<ProviderConfig, string> {
  const resolved = resolveRemote(input);
  return resolved.ok ? resolved : err(resolved.error.message);
}

function resolveRemote(input: ResolveProviderInput): Result<ProviderConfig, ConfigProblem> {
  const invalid = (message: string) => err<ConfigProblem>({ kind: "invalid", message });
  const env = input.env;
  const providerFlag = nonEmpty(input.provider);
  const providerEnv = nonEmpty(env["BALLOT_OCR_PROVIDER"]);
  const baseUrlFlag = nonEmpty(input.baseUrl);
  const baseUrlEnv = nonEmpty(env["BALLOT_OCR_BASE_URL"]);
  const modelFlag = nonEmpty(input.model);
  const modelEnv = nonEmpty(env["BALLOT_OCR_MODEL"]);

  const chosenBaseUrl = baseUrlFlag ?? baseUrlEnv;
  const providerText = providerFlag ?? providerEnv;
  let preset: ProviderPreset | null;
  let providerSource: SettingSource;
  if (providerText !== null) {
    const name = providerText.toLowerCase();
    if (!isProviderName(name)) {
      const where = providerFlag !== null ? "--provider" : "BALLOT_OCR_PROVIDER";
      const names = [...PROVIDER_NAMES, ...LOCAL_READER_NAMES].join(", ");
      return invalid(`Unknown provider "${providerText}" in ${where}. Use one of: ${names}.`);
    }
    preset = providerPreset(name);
    providerSource = providerFlag !== null ? "flag" : "env";
  } else if (chosenBaseUrl !== null) {
    // A base URL without a provider: use the matching preset, or treat it as a custom server.
    preset = presetForBaseUrl(chosenBaseUrl);
    providerSource = "preset";
  } else {
    preset = providerPreset(DEFAULT_PROVIDER);
    providerSource = "preset";
  }

  const baseUrl = chosenBaseUrl ?? preset?.baseUrl ?? providerPreset(DEFAULT_PROVIDER).baseUrl;
  const baseUrlSource: SettingSource = baseUrlFlag !== null ? "flag" : baseUrlEnv !== null ? "env" : "preset";
  const urlProblem = checkBaseUrl(baseUrl);
  if (urlProblem !== null) {
    const where = baseUrlFlag !== null ? "--base-url" : baseUrlEnv !== null ? "BALLOT_OCR_BASE_URL" : "the preset";
    return invalid(`Invalid base URL from ${where}: ${urlProblem}`);
  }

  const model = modelFlag ?? modelEnv ?? preset?.defaultModel ?? null;
  if (model === null) {
    return invalid(
      `No model chosen for the server at ${baseUrl}. Pass --model <name> or set BALLOT_OCR_MODEL (the server's /v1/models lists its names).`,
    );
  }
  const modelSource: SettingSource = modelFlag !== null ? "flag" : modelEnv !== null ? "env" : "preset";

  const genericHost = genericKeyHost(env, input.keyScope ?? { provider: input.provider, baseUrl: input.baseUrl });
  const key = keyForHost(baseUrl, env, genericHost !== null && genericHost === hostKey(baseUrl) ? [GENERIC_KEY_VAR] : []);
  const keyRequired = preset?.keyRequired ?? false;
  if (keyRequired && key === null && preset !== null) {
    return err({ kind: "missing_key", message: missingKeyMessage(preset, baseUrl) });
  }

  return ok(providerConfig(preset, baseUrl, model, key, { provider: providerSource, baseUrl: baseUrlSource, model: modelSource }));
}

function providerConfig(
  preset: ProviderPreset | null,
  baseUrl: string,
  model: string,
  key: { secret: Secret; source: string } | null,
  sources: ProviderConfig["sources"],
): ProviderConfig {
  const apiKey = key?.secret ?? null;
  const keySource = key?.source ?? null;
  const config: ProviderConfig = {
    provider: preset?.name ?? "custom",
    baseUrl,
    model,
    apiKey,
    keySource,
    limits: preset ? preset.limitsFor(model) : { rps: null, rpm: null, rpd: null },
    reportsCost: preset?.reportsCost ?? false,
    supportsJsonSchema: preset?.supportsJsonSchema ?? true,
    maxTokensField: preset?.maxTokensField ?? "max_tokens",
    maxOutputTokens: preset ? preset.maxOutputTokens : null,
    sources,
    describe() {
      const keyText = keySource ? `key from ${keySource}` : "no key";
      return `${config.provider} at ${baseUrl}, model ${model} (${keyText})`;
    },
    toJSON() {
      return {
        provider: config.provider,
        baseUrl,
        model,
        keySource,
        hasKey: apiKey !== null,
        limits: config.limits,
        reportsCost: config.reportsCost,
        supportsJsonSchema: config.supportsJsonSchema,
        sources: config.sources,
      };
    },
  };
  return config;
}

export interface ResolveVerifierInput {
  /** --verify-with PRESET[:MODEL], e.g. "openai:gpt-4.1-mini" or "openrouter:google/gemma-3-27b-it:free". */
  readonly verifyWith: string;
  /** --verify-base-url: points the second model elsewhere, as --base-url does for the first. */
  readonly verifyBaseUrl?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The second model (--verify-with). Its key is BALLOT_OCR_VERIFY_API_KEY, which exists only for
 * it, else the preset's own variable, and that only when the second model is at the preset's own
 * host; never BALLOT_OCR_API_KEY, which belongs to the first reader.
 */
export function resolveVerifierConfig(input: ResolveVerifierInput): Result<ProviderConfig, string> {
  const text = input.verifyWith.trim();
  const colon = text.indexOf(":");
  const name = (colon < 0 ? text : text.slice(0, colon)).toLowerCase();
  const modelText = colon < 0 ? null : nonEmpty(text.slice(colon + 1));
  if (!isProviderName(name)) {
    return err(`Unknown preset "${name}" in --verify-with. Use PRESET[:MODEL] with one of: ${PROVIDER_NAMES.join(", ")}.`);
  }
  const preset = providerPreset(name);
  const baseUrlFlag = nonEmpty(input.verifyBaseUrl);
  const baseUrl = baseUrlFlag ?? preset.baseUrl;
  const urlProblem = checkBaseUrl(baseUrl);
  if (urlProblem !== null) return err(`Invalid --verify-base-url: ${urlProblem}`);
  const model = modelText ?? preset.defaultModel;
  const key = keyForHost(baseUrl, input.env, [VERIFY_KEY_VAR], [VERIFY_KEY_VAR]);
  if (preset.keyRequired && key === null) {
    const own = preset.keyEnvVars.find((v) => v !== GENERIC_KEY_VAR);
    const elsewhere = hostKey(baseUrl) !== hostKey(preset.baseUrl);
    return err(
      elsewhere || own === undefined
        ? `No API key for the second model at ${baseUrl}: set ${VERIFY_KEY_VAR}.`
        : `No API key for the second model (${preset.label}): set ${VERIFY_KEY_VAR} or ${own}.`,
    );
  }
  return ok(
    providerConfig(preset, baseUrl, model, key, {
      provider: "flag",
      baseUrl: baseUrlFlag !== null ? "flag" : "preset",
      model: modelText !== null ? "flag" : "preset",
    }),
  );
}

/**
 * Which reader a run uses: a remote OpenAI-compatible model, the offline local reader, or the
 * cascade (local first, then `remote` for what the local reader cannot verify; null: no remote,
 * those documents stay in review). `notice` is one line to show the user, when there is one.
 */
export type ReaderConfig =
  | { readonly kind: "remote"; readonly remote: ProviderConfig }
  | { readonly kind: "local"; readonly defaulted: boolean; readonly notice: string | null }
  | { readonly kind: "cascade"; readonly remote: ProviderConfig | null; readonly notice: string | null };

export interface ResolveReaderInput extends ResolveProviderInput {
  /** The cascade's remote preset (--cascade-remote); env BALLOT_OCR_CASCADE_REMOTE; default openrouter. */
  readonly cascadeRemote?: string | undefined;
}

export const LOCAL_DEFAULT_NOTICE =
  "No API key or provider configured: reading offline with the local CPU reader (--provider local). " +
  "To use a vision model instead, set OPENROUTER_API_KEY (or pass --provider openai|gemini|ollama|…), " +
  "or use --provider cascade to send only the forms the local reader cannot verify.";

/**
 * Like resolveProviderConfig, plus "local" and "cascade". With no provider, no base URL and no
 * key for the default preset, the local reader is the default, so a fresh machine works at once.
 */
export function resolveReaderConfig(input: ResolveReaderInput): Result<ReaderConfig, string> {
  const env = input.env;
  const providerText = (nonEmpty(input.provider) ?? nonEmpty(env["BALLOT_OCR_PROVIDER"]))?.toLowerCase() ?? null;
  if (providerText === "local") return ok({ kind: "local", defaulted: false, notice: null });
  if (providerText === "cascade") return resolveCascade(input);
  const baseUrl = nonEmpty(input.baseUrl) ?? nonEmpty(env["BALLOT_OCR_BASE_URL"]);
  const defaultKeyVars = providerPreset(DEFAULT_PROVIDER).keyEnvVars;
  if (providerText === null && baseUrl === null && defaultKeyVars.every((name) => nonEmpty(env[name]) === null)) {
    return ok({ kind: "local", defaulted: true, notice: LOCAL_DEFAULT_NOTICE });
  }
  const remote = resolveProviderConfig(input);
  return remote.ok ? ok({ kind: "remote", remote: remote.value }) : remote;
}

function resolveCascade(input: ResolveReaderInput): Result<ReaderConfig, string> {
  const chosen = nonEmpty(input.cascadeRemote) ?? nonEmpty(input.env["BALLOT_OCR_CASCADE_REMOTE"]);
  const remoteName = chosen?.toLowerCase() ?? null;
  if (remoteName !== null && !isProviderName(remoteName)) {
    return err(`Unknown cascade remote "${chosen}". Use one of: ${PROVIDER_NAMES.join(", ")}.`);
  }
  // BALLOT_OCR_PROVIDER names the cascade itself here, not its remote.
  const env: NodeJS.ProcessEnv = { ...input.env, BALLOT_OCR_PROVIDER: undefined };
  const baseUrl = nonEmpty(input.baseUrl) ?? nonEmpty(env["BALLOT_OCR_BASE_URL"]);
  // A base URL alone picks its matching preset (or a custom server), as without a cascade.
  const provider = remoteName ?? (baseUrl === null ? DEFAULT_CASCADE_REMOTE : undefined);
  const remote = resolveRemote({ provider, baseUrl: input.baseUrl, model: input.model, env });
  if (remote.ok) return ok({ kind: "cascade", remote: remote.value, notice: null });
  // No key for the default remote: run local-only; an explicitly chosen remote must work.
  if (remote.error.kind === "missing_key" && remoteName === null) {
    const label = providerPreset(DEFAULT_CASCADE_REMOTE).label;
    return ok({
      kind: "cascade",
      remote: null,
      notice: `cascade: no API key for ${label}, so forms the local reader cannot verify stay needs_review with the doubted cells named. Set ${providerPreset(DEFAULT_CASCADE_REMOTE).keyEnvVars[0]} (or --cascade-remote <preset>) to send them to a vision model.`,
    });
  }
  return err(remote.error.message);
}

function missingKeyMessage(preset: ProviderPreset, baseUrl: string): string {
  const vars = preset.keyEnvVars;
  const which = vars.length === 1 ? vars[0] : `${vars.slice(0, -1).join(", ")} or ${vars[vars.length - 1]}`;
  const elsewhere = hostKey(baseUrl) !== hostKey(preset.baseUrl);
  return [
    elsewhere
      ? `No API key for ${baseUrl}: ${preset.keyEnvVars[0]} is only sent to ${preset.label} itself. Set ${GENERIC_KEY_VAR} with this base URL (flag or BALLOT_OCR_BASE_URL).`
      : `No API key for ${preset.label}. Set ${which}, for example: export ${vars[0]}=<your key>.`,
    "Or read with a local server that needs no key: --provider ollama (or lmstudio, vllm), optionally with --base-url and --model;",
    "or with the offline CPU reader: --provider local.",
  ].join(" ");
}

function checkBaseUrl(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a URL`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `"${value}" must start with http:// or https://`;
  if (url.username !== "" || url.password !== "") return "credentials in the URL are not accepted; use the key variable";
  return null;
}

/**
 * The host BALLOT_OCR_API_KEY was configured for: the provider or base URL named beside it in the
 * environment, else the one the process was started with, else the default preset. A local preset
 * named only by --provider gets none: a key meant for a remote service must not reach a port any
 * local user can listen on. Null: the key goes nowhere.
 */
function genericKeyHost(env: NodeJS.ProcessEnv, scope: NonNullable<ResolveProviderInput["keyScope"]>): string | null {
  const envBaseUrl = nonEmpty(env["BALLOT_OCR_BASE_URL"]);
  if (envBaseUrl !== null) return hostKey(envBaseUrl);
  const envProvider = nonEmpty(env["BALLOT_OCR_PROVIDER"])?.toLowerCase() ?? null;
  if (envProvider !== null && isProviderName(envProvider)) return hostKey(providerPreset(envProvider).baseUrl);
  const scopeBaseUrl = nonEmpty(scope.baseUrl);
  if (scopeBaseUrl !== null) return hostKey(scopeBaseUrl);
  const scopeProvider = nonEmpty(scope.provider)?.toLowerCase() ?? null;
  if (scopeProvider !== null && isProviderName(scopeProvider)) {
    const preset = providerPreset(scopeProvider);
    return preset.keyRequired ? hostKey(preset.baseUrl) : null;
  }
  return hostKey(providerPreset(DEFAULT_PROVIDER).baseUrl);
}

/**
 * The key for a request to `baseUrl`: the own variable of the preset whose host that is (an
 * OPENAI_API_KEY goes to api.openai.com and nowhere else), then the given extra variables, which
 * the caller has already bound to this host; `first` ones are tried before the own variable.
 */
function keyForHost(
  baseUrl: string,
  env: NodeJS.ProcessEnv,
  extra: readonly string[],
  first: readonly string[] = [],
): { secret: Secret; source: string } | null {
  const own = presetForBaseUrl(baseUrl)?.keyEnvVars.filter((name) => name !== GENERIC_KEY_VAR) ?? [];
  for (const name of new Set([...first, ...own, ...extra])) {
    const value = nonEmpty(env[name]);
    if (value !== null) return { secret: new Secret(value), source: name };
  }
  return null;
}

function nonEmpty(value: string | undefined): string | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}
