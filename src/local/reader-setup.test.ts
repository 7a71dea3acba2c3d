import { describe, expect, it } from "vitest";
import { LOCAL_DEFAULT_NOTICE, type ReaderConfig, resolveReaderConfig } from "../providers/config.js";
import { readerSetup } from "./reader-setup.js";

function resolve(input: { provider?: string; baseUrl?: string; cascadeRemote?: string; env?: NodeJS.ProcessEnv }): ReaderConfig {
  const result = resolveReaderConfig({ ...input, env: input.env ?? {} });
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe("choosing the reader", () => {
  it("defaults to the local reader on a fresh machine, and says so", () => {
    const config = resolve({});
    expect(config).toEqual({ kind: "local", defaulted: true, notice: LOCAL_DEFAULT_NOTICE });
    const setup = readerSetup(config);
    expect(setup.provider).toBe("local");
    expect(setup.limits).toEqual({ rps: null, rpm: null, rpd: null });
    expect(setup.canReask).toBe(false);
  });

  it("keeps the remote default when a key is set, or a base URL or provider is chosen", () => {
    expect(resolve({ env: { OPENROUTER_API_KEY: "k" } }).kind).toBe("remote");
    expect(resolve({ baseUrl: "http://127.0.0.1:9/v1", env: { BALLOT_OCR_MODEL: "m" } }).kind).toBe("remote");
    expect(resolve({ provider: "ollama" }).kind).toBe("remote");
  });

  it("still refuses an explicitly chosen preset without its key", () => {
    const result = resolveReaderConfig({ provider: "openai", env: {} });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/OPENAI_API_KEY.*--provider local/s);
  });

  it("--provider local needs nothing; BALLOT_OCR_PROVIDER=local works too", () => {
    expect(resolve({ provider: "local", env: { OPENROUTER_API_KEY: "k" } })).toEqual({ kind: "local", defaulted: false, notice: null });
    expect(resolve({ env: { BALLOT_OCR_PROVIDER: "LOCAL" } }).kind).toBe("local");
  });

  it("cascade: openrouter by default, any preset by --cascade-remote or env, the base URL's server otherwise", () => {
    const withKey = resolve({ provider: "cascade", env: { OPENROUTER_API_KEY: "k" } });
    expect(withKey.kind === "cascade" && withKey.remote?.provider).toBe("openrouter");
    const ollama = resolve({ provider: "cascade", cascadeRemote: "ollama" });
    expect(ollama.kind === "cascade" && ollama.remote?.provider).toBe("ollama");
    const fromEnv = resolve({ env: { BALLOT_OCR_PROVIDER: "cascade", BALLOT_OCR_CASCADE_REMOTE: "lmstudio" } });
    expect(fromEnv.kind === "cascade" && fromEnv.remote?.provider).toBe("lmstudio");
    const custom = resolve({
      provider: "cascade",
      baseUrl: "http://127.0.0.1:9/v1",
      env: { BALLOT_OCR_MODEL: "m", BALLOT_OCR_API_KEY: "k" },
    });
    expect(custom.kind === "cascade" && custom.remote?.baseUrl).toBe("http://127.0.0.1:9/v1");
    expect(readerSetup(custom).describe()).toMatch(/^cascade: local CPU reader .* first, then custom at http:\/\/127\.0\.0\.1:9\/v1/);
  });

  it("cascade without a key runs local-only with a notice; an explicit remote without its key is an error", () => {
    const config = resolve({ provider: "cascade" });
    expect(config.kind === "cascade" && config.remote).toBeNull();
    expect(config.kind === "cascade" && config.notice).toMatch(/needs_review/);
    expect(readerSetup(config).canReask).toBe(false);
    expect(resolveReaderConfig({ provider: "cascade", cascadeRemote: "openai", env: {} }).ok).toBe(false);
    expect(resolveReaderConfig({ provider: "cascade", cascadeRemote: "nope", env: {} }).ok).toBe(false);
  });
});
