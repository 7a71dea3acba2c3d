/**
 * Provider presets: the usual base URL, key variables, default vision model, client-side limits
 * and capabilities of each OpenAI-compatible service this tool knows. Every field can be
 * overridden by flags or environment (see config.ts).
 */
export const PROVIDER_NAMES = ["openrouter", "openai", "gemini", "ollama", "lmstudio", "vllm"] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Client-side request limits; null means "no limit of this kind". All apply together. */
export interface ClientLimits {
  readonly rps: number | null;
  readonly rpm: number | null;
  readonly rpd: number | null;
}

export interface ProviderPreset {
  readonly name: ProviderName;
  readonly label: string;
  readonly baseUrl: string;
  /** Environment variables holding the key, in order of preference. Empty for local servers. */
  readonly keyEnvVars: readonly string[];
  /** Local servers accept requests without a key. */
  readonly keyRequired: boolean;
  readonly defaultModel: string;
  /** Whether the service reports the cost of each request in the response (usage.cost). */
  readonly reportsCost: boolean;
  /** Whether response_format json_schema is expected to work (a rejection still falls back to prompt JSON). */
  readonly supportsJsonSchema: boolean;
  /** OpenAI's newer models reject max_tokens and want max_completion_tokens. */
  readonly maxTokensField: "max_tokens" | "max_completion_tokens";
  /**
   * Output token cap sent with each request; null sends none. Local servers reject a cap larger
   * than what their context leaves, so they get none; thinking models need room to think.
   */
  readonly maxOutputTokens: number | null;
  /** Client limits that fit the service for this model. */
  limitsFor(model: string): ClientLimits;
}

/** OpenRouter's ":free" variants: 20 requests/minute and 50/day (1000/day after buying 10 credits). */
export const OPENROUTER_FREE_LIMITS: ClientLimits = { rps: null, rpm: 20, rpd: 50 };
/** Paid OpenRouter models have no fixed published cap; stay polite and let 429 handling find the rest. */
export const OPENROUTER_PAID_LIMITS: ClientLimits = { rps: 5, rpm: 300, rpd: null };
/** Local servers: the GPU is the limit, which --workers controls. */
const NO_LIMITS: ClientLimits = { rps: null, rpm: null, rpd: null };

export function isFreeOpenRouterModel(model: string): boolean {
  return model.endsWith(":free");
}

const PRESETS: Readonly<Record<ProviderName, ProviderPreset>> = {
  openrouter: {
    name: "openrouter",
    label: "OpenRouter",
    baseUrl: "https://openrouter.ai/api/v1",
    keyEnvVars: ["OPENROUTER_API_KEY", "BALLOT_OCR_API_KEY"],
    keyRequired: true,
    // Gemini 2.5 Flash: among the strongest cheap readers of scanned documents and Thai script,
    // handles several page images in one request, supports json_schema structured output, and
    // costs about $0.30 per million input tokens (a prepared page is roughly 1.5k tokens), so a
    // party-list form costs well under a cent. Its ":free" siblings come and go; pass
    // --model <id>:free to use one (then 20 requests/minute and 50/day apply).
    defaultModel: "google/gemini-2.5-flash",
    reportsCost: true,
    supportsJsonSchema: true,
    maxTokensField: "max_tokens",
    maxOutputTokens: 16_384,
    limitsFor: (model) => (isFreeOpenRouterModel(model) ? OPENROUTER_FREE_LIMITS : OPENROUTER_PAID_LIMITS),
  },
  openai: {
    name: "openai",
    label: "OpenAI",
    baseUrl: "https://api.openai.com/v1",
    keyEnvVars: ["OPENAI_API_KEY", "BALLOT_OCR_API_KEY"],
    keyRequired: true,
    // Cheap vision model with strict structured outputs.
    defaultModel: "gpt-4.1-mini",
    reportsCost: false,
    supportsJsonSchema: true,
    maxTokensField: "max_completion_tokens",
    maxOutputTokens: 16_384,
    // Usage tier 1 allows 500 requests/minute for this model family.
    limitsFor: () => ({ rps: 5, rpm: 500, rpd: null }),
  },
  gemini: {
    name: "gemini",
    label: "Google Gemini (OpenAI-compatible endpoint)",
    baseUrl: "https://generativelanguage.googleapis.com/v1beta/openai/",
    keyEnvVars: ["GEMINI_API_KEY", "BALLOT_OCR_API_KEY"],
    keyRequired: true,
    defaultModel: "gemini-2.5-flash",
    reportsCost: false,
    supportsJsonSchema: true,
    maxTokensField: "max_tokens",
    maxOutputTokens: 16_384,
    // Free tier is about 10 requests/minute; the daily cap differs by project, so it is left to
    // the server's 429 (detected as a daily limit) rather than guessed here.
    limitsFor: () => ({ rps: null, rpm: 10, rpd: null }),
  },
  ollama: {
    name: "ollama",
    label: "Ollama (local)",
    baseUrl: "http://127.0.0.1:11434/v1",
    keyEnvVars: [],
    keyRequired: false,
    defaultModel: "qwen2.5vl:7b",
    reportsCost: false,
    supportsJsonSchema: true,
    maxTokensField: "max_tokens",
    maxOutputTokens: null,
    limitsFor: () => NO_LIMITS,
  },
  lmstudio: {
    name: "lmstudio",
    label: "LM Studio (local)",
    baseUrl: "http://127.0.0.1:1234/v1",
    keyEnvVars: [],
    keyRequired: false,
    defaultModel: "qwen2.5-vl-7b-instruct",
    reportsCost: false,
    supportsJsonSchema: true,
    maxTokensField: "max_tokens",
    maxOutputTokens: null,
    limitsFor: () => NO_LIMITS,
  },
  vllm: {
    name: "vllm",
    label: "vLLM (local)",
    baseUrl: "http://127.0.0.1:8000/v1",
    keyEnvVars: [],
    keyRequired: false,
    defaultModel: "Qwen/Qwen2.5-VL-7B-Instruct",
    reportsCost: false,
    supportsJsonSchema: true,
    maxTokensField: "max_tokens",
    maxOutputTokens: null,
    limitsFor: () => NO_LIMITS,
  },
};

export const DEFAULT_PROVIDER: ProviderName = "openrouter";

/**
 * Readers that are not OpenAI-compatible services: "local" reads the digits on the CPU (no key,
 * no network, no quota); "cascade" reads locally first and sends only what it cannot verify to
 * a remote preset (--cascade-remote, default openrouter).
 */
export const LOCAL_READER_NAMES = ["local", "cascade"] as const;
export type LocalReaderName = (typeof LOCAL_READER_NAMES)[number];

/** Every name `--provider` takes, for help texts: the presets, then the local reader and the cascade. */
export const READER_NAMES_TEXT = [...PROVIDER_NAMES, ...LOCAL_READER_NAMES].join(" | ");

export function isLocalReaderName(value: string): value is LocalReaderName {
  return (LOCAL_READER_NAMES as readonly string[]).includes(value);
}

/** The remote preset a cascade passes unverified documents to when none is chosen. */
export const DEFAULT_CASCADE_REMOTE: ProviderName = "openrouter";

export function isProviderName(value: string): value is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(value);
}

export function providerPreset(name: ProviderName): ProviderPreset {
  return PRESETS[name];
}

/** The preset whose usual base URL matches this one (same host and port), if any. */
export function presetForBaseUrl(baseUrl: string): ProviderPreset | null {
  const host = hostKey(baseUrl);
  if (host === null) return null;
  for (const name of PROVIDER_NAMES) {
    if (hostKey(PRESETS[name].baseUrl) === host) return PRESETS[name];
  }
  return null;
}

/**
 * What a key is bound to: host and port (the scheme's default port made explicit, localhost
 * spellings made one). Null for text that is not a URL.
 */
export function hostKey(baseUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return null;
  }
  const hostname = url.hostname === "localhost" || url.hostname === "[::1]" ? "127.0.0.1" : url.hostname;
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `${hostname}:${port}`;
}
