import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { resolveProviderConfig, resolveVerifierConfig } from "./config.js";
import { OPENROUTER_FREE_LIMITS, PROVIDER_NAMES, presetForBaseUrl, providerPreset } from "./presets.js";

const KEY = "sk-or-v1-THIS-IS-A-TEST-KEY-0123456789";

describe("provider presets", () => {
  it("has a base URL, a default model and limits for every preset", () => {
    for (const name of PROVIDER_NAMES) {
      const preset = providerPreset(name);
      expect(() => new URL(preset.baseUrl)).not.toThrow();
      expect(preset.defaultModel).not.toBe("");
      expect(preset.keyRequired).toBe(preset.keyEnvVars.length > 0);
    }
    expect(providerPreset("openrouter").baseUrl).toBe("https://openrouter.ai/api/v1");
    expect(providerPreset("gemini").baseUrl).toBe("https://generativelanguage.googleapis.com/v1beta/openai/");
    expect(providerPreset("ollama").baseUrl).toBe("http://127.0.0.1:11434/v1");
  });

  it("limits OpenRouter :free models to 20 per minute and 50 per day", () => {
    const openrouter = providerPreset("openrouter");
    expect(openrouter.limitsFor("google/gemma-3-27b-it:free")).toEqual(OPENROUTER_FREE_LIMITS);
    expect(OPENROUTER_FREE_LIMITS).toMatchObject({ rpm: 20, rpd: 50 });
    expect(openrouter.limitsFor(openrouter.defaultModel).rpd).toBeNull();
  });

  it("recognises a preset from its base URL, localhost included", () => {
    expect(presetForBaseUrl("http://localhost:11434/v1")?.name).toBe("ollama");
    expect(presetForBaseUrl("https://openrouter.ai/api/v1")?.name).toBe("openrouter");
    expect(presetForBaseUrl("http://127.0.0.1:9/v1")).toBeNull();
  });
});

describe("resolveProviderConfig", () => {
  it("defaults to OpenRouter with its key", () => {
    const config = resolveProviderConfig({ env: { OPENROUTER_API_KEY: KEY } });
    expect(config.ok).toBe(true);
    if (!config.ok) return;
    expect(config.value.provider).toBe("openrouter");
    expect(config.value.baseUrl).toBe("https://openrouter.ai/api/v1");
    expect(config.value.keySource).toBe("OPENROUTER_API_KEY");
    expect(config.value.apiKey?.reveal()).toBe(KEY);
    expect(config.value.reportsCost).toBe(true);
  });

  it("accepts BALLOT_OCR_API_KEY for OpenRouter", () => {
    const config = resolveProviderConfig({ env: { BALLOT_OCR_API_KEY: KEY } });
    expect(config.ok && config.value.keySource).toBe("BALLOT_OCR_API_KEY");
  });

  it("lets flags beat the environment, and the environment beat the preset", () => {
    const env = {
      OPENROUTER_API_KEY: KEY,
      BALLOT_OCR_BASE_URL: "http://10.0.0.2:8000/v1",
      BALLOT_OCR_MODEL: "env-model",
      BALLOT_OCR_PROVIDER: "vllm",
    };
    const fromEnv = resolveProviderConfig({ env });
    expect(fromEnv.ok && [fromEnv.value.provider, fromEnv.value.baseUrl, fromEnv.value.model]).toEqual([
      "vllm",
      "http://10.0.0.2:8000/v1",
      "env-model",
    ]);
    const fromFlags = resolveProviderConfig({ env, provider: "ollama", baseUrl: "http://127.0.0.1:9999/v1", model: "flag-model" });
    expect(fromFlags.ok && [fromFlags.value.provider, fromFlags.value.baseUrl, fromFlags.value.model]).toEqual([
      "ollama",
      "http://127.0.0.1:9999/v1",
      "flag-model",
    ]);
    expect(fromFlags.ok && fromFlags.value.sources).toEqual({ provider: "flag", baseUrl: "flag", model: "flag" });
    const preset = resolveProviderConfig({ env: {}, provider: "lmstudio" });
    expect(preset.ok && preset.value.sources).toEqual({ provider: "flag", baseUrl: "preset", model: "preset" });
  });

  it("needs no key for local servers", () => {
    for (const provider of ["ollama", "lmstudio", "vllm"]) {
      const config = resolveProviderConfig({ env: {}, provider });
      expect(config.ok && config.value.apiKey).toBeNull();
    }
  });

  it("says which variable to set, or how to use a local server, when the key is missing", () => {
    const openrouter = resolveProviderConfig({ env: {} });
    expect(openrouter.ok).toBe(false);
    if (openrouter.ok) return;
    expect(openrouter.error).toContain("OPENROUTER_API_KEY");
    expect(openrouter.error).toContain("BALLOT_OCR_API_KEY");
    expect(openrouter.error).toContain("--provider ollama");
    const gemini = resolveProviderConfig({ env: {}, provider: "gemini" });
    expect(!gemini.ok && gemini.error).toContain("GEMINI_API_KEY");
    const openai = resolveProviderConfig({ env: {}, provider: "openai" });
    expect(!openai.ok && openai.error).toContain("OPENAI_API_KEY");
  });

  it("refuses unknown providers and bad URLs with a clear message", () => {
    const provider = resolveProviderConfig({ env: {}, provider: "acme" });
    expect(!provider.ok && provider.error).toMatch(/Unknown provider "acme".*openrouter/);
    const url = resolveProviderConfig({ env: {}, provider: "ollama", baseUrl: "ftp://x" });
    expect(!url.ok && url.error).toContain("http");
  });

  it("treats a base URL that matches no preset as a custom server, with an optional key", () => {
    const config = resolveProviderConfig({ env: {}, baseUrl: "http://127.0.0.1:5555/v1", model: "m" });
    expect(config.ok && config.value.provider).toBe("custom");
    const noModel = resolveProviderConfig({ env: {}, baseUrl: "http://127.0.0.1:5555/v1" });
    expect(!noModel.ok && noModel.error).toContain("--model");
  });

  it("never shows the key: JSON, describe(), String, inspect, and error messages", () => {
    const env = { OPENROUTER_API_KEY: KEY, OPENAI_API_KEY: KEY, GEMINI_API_KEY: KEY, BALLOT_OCR_API_KEY: KEY };
    const texts: string[] = [];
    for (const provider of PROVIDER_NAMES) {
      const config = resolveProviderConfig({ env, provider });
      expect(config.ok).toBe(true);
      if (!config.ok) continue;
      texts.push(JSON.stringify(config.value), config.value.describe(), String(config.value.apiKey), inspect(config.value, { depth: 5 }));
      texts.push(`${config.value.apiKey}`, JSON.stringify({ nested: config.value }));
    }
    const failures = [
      resolveProviderConfig({ env: { BALLOT_OCR_PROVIDER: "nope", OPENROUTER_API_KEY: KEY } }),
      resolveProviderConfig({ env: { OPENROUTER_API_KEY: KEY }, baseUrl: "not a url" }),
      resolveProviderConfig({ env: { OPENAI_API_KEY: KEY } }),
    ];
    for (const failure of failures) {
      expect(failure.ok).toBe(false);
      if (!failure.ok) texts.push(failure.error);
    }
    for (const text of texts) expect(text).not.toContain(KEY);
    expect(texts.join("\n")).toContain("[redacted]");
  });

  describe("sends a key only to the host it was configured for", () => {
    const keyOf = (input: Parameters<typeof resolveProviderConfig>[0]) => {
      const config = resolveProviderConfig(input);
      return config.ok ? config.value.keySource : `error: ${config.error}`;
    };

    it("gives local presets no key unless one is configured for them", () => {
      for (const provider of ["ollama", "lmstudio", "vllm"]) {
        expect(keyOf({ env: { BALLOT_OCR_API_KEY: KEY }, provider })).toBeNull();
        expect(keyOf({ env: { BALLOT_OCR_API_KEY: KEY, OPENAI_API_KEY: KEY, OPENROUTER_API_KEY: KEY }, provider })).toBeNull();
        expect(keyOf({ env: { BALLOT_OCR_API_KEY: KEY, BALLOT_OCR_PROVIDER: provider } })).toBe("BALLOT_OCR_API_KEY");
      }
      expect(keyOf({ env: { BALLOT_OCR_API_KEY: KEY }, provider: "vllm", baseUrl: "http://10.0.0.2:8000/v1" })).toBe("BALLOT_OCR_API_KEY");
    });

    it("keeps BALLOT_OCR_API_KEY with the provider named beside it in the environment", () => {
      const env = { BALLOT_OCR_API_KEY: KEY, BALLOT_OCR_PROVIDER: "openai" };
      expect(keyOf({ env })).toBe("BALLOT_OCR_API_KEY");
      expect(keyOf({ env, provider: "ollama" })).toBeNull();
      expect(keyOf({ env, provider: "openrouter" })).toMatch(/^error: No API key for OpenRouter/);
      expect(keyOf({ env, provider: "gemini" })).toMatch(/^error: No API key/);
      expect(
        keyOf({
          env: { BALLOT_OCR_API_KEY: KEY, BALLOT_OCR_BASE_URL: "http://10.0.0.2:8000/v1" },
          baseUrl: "http://10.0.0.3:8000/v1",
          model: "m",
        }),
      ).toBeNull();
    });

    it("sends a preset's own variable only to that preset's host", () => {
      expect(keyOf({ env: { OPENAI_API_KEY: KEY }, provider: "openai" })).toBe("OPENAI_API_KEY");
      expect(keyOf({ env: { OPENAI_API_KEY: KEY }, baseUrl: "https://api.openai.com/v1" })).toBe("OPENAI_API_KEY");
      expect(keyOf({ env: { OPENAI_API_KEY: KEY }, provider: "openai", baseUrl: "http://127.0.0.1:9/v1" })).toMatch(/only sent to OpenAI/);
      expect(
        keyOf({ env: { OPENAI_API_KEY: KEY, OPENROUTER_API_KEY: KEY }, provider: "openrouter", baseUrl: "http://127.0.0.1:9/v1" }),
      ).toMatch(/^error:/);
      expect(keyOf({ env: { OPENROUTER_API_KEY: KEY }, baseUrl: "http://127.0.0.1:9/v1", model: "m" })).toBeNull();
    });

    it("binds BALLOT_OCR_API_KEY to what the process was started with, not to a later choice (the web page)", () => {
      const env = { BALLOT_OCR_API_KEY: KEY };
      expect(keyOf({ env, provider: "ollama", keyScope: {} })).toBeNull();
      expect(keyOf({ env, provider: "openai", keyScope: {} })).toMatch(/^error:/);
      expect(keyOf({ env, provider: "openrouter", keyScope: {} })).toBe("BALLOT_OCR_API_KEY");
      const custom = { baseUrl: "http://127.0.0.1:5555/v1" };
      expect(keyOf({ env, ...custom, model: "m", keyScope: custom })).toBe("BALLOT_OCR_API_KEY");
      expect(keyOf({ env, provider: "vllm", baseUrl: "http://127.0.0.1:8000/v1", keyScope: custom })).toBeNull();
    });
  });

  describe("the second model (--verify-with)", () => {
    it("takes PRESET[:MODEL], keeping colons in the model id", () => {
      const free = resolveVerifierConfig({ verifyWith: "openrouter:google/gemma-3-27b-it:free", env: { OPENROUTER_API_KEY: KEY } });
      expect(free.ok && [free.value.provider, free.value.model, free.value.limits.rpd]).toEqual([
        "openrouter",
        "google/gemma-3-27b-it:free",
        50,
      ]);
      const preset = resolveVerifierConfig({ verifyWith: "openai", env: { OPENAI_API_KEY: KEY } });
      expect(preset.ok && [preset.value.model, preset.value.keySource]).toEqual(["gpt-4.1-mini", "OPENAI_API_KEY"]);
      const unknown = resolveVerifierConfig({ verifyWith: "acme:x", env: {} });
      expect(!unknown.ok && unknown.error).toMatch(/Unknown preset "acme".*openrouter/);
    });

    it("uses BALLOT_OCR_VERIFY_API_KEY first, else the preset's own variable at its own host, never BALLOT_OCR_API_KEY", () => {
      const verifyKey = resolveVerifierConfig({
        verifyWith: "openai:gpt-4.1-mini",
        env: { BALLOT_OCR_VERIFY_API_KEY: KEY, OPENAI_API_KEY: "other" },
      });
      expect(verifyKey.ok && verifyKey.value.keySource).toBe("BALLOT_OCR_VERIFY_API_KEY");
      const generic = resolveVerifierConfig({ verifyWith: "openai", env: { BALLOT_OCR_API_KEY: KEY } });
      expect(!generic.ok && generic.error).toMatch(/BALLOT_OCR_VERIFY_API_KEY or OPENAI_API_KEY/);
      const elsewhere = resolveVerifierConfig({
        verifyWith: "openai",
        verifyBaseUrl: "http://127.0.0.1:9/v1",
        env: { OPENAI_API_KEY: KEY },
      });
      expect(!elsewhere.ok && elsewhere.error).toMatch(/set BALLOT_OCR_VERIFY_API_KEY/);
      const local = resolveVerifierConfig({ verifyWith: "ollama", env: { OPENAI_API_KEY: KEY, BALLOT_OCR_API_KEY: KEY } });
      expect(local.ok && local.value.apiKey).toBeNull();
      const custom = resolveVerifierConfig({
        verifyWith: "vllm:m",
        verifyBaseUrl: "http://127.0.0.1:9/v1",
        env: { BALLOT_OCR_VERIFY_API_KEY: KEY },
      });
      expect(custom.ok && [custom.value.baseUrl, custom.value.keySource]).toEqual(["http://127.0.0.1:9/v1", "BALLOT_OCR_VERIFY_API_KEY"]);
    });
  });
});
