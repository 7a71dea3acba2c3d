import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { startWebApp } from "../../src/web/web-app.js";
import { runCli } from "./support/cli-run.js";
import { useSynthBatch } from "./support/synth-batch.js";

/**
 * Issue 14.10: an API key reaches only the host it was configured for. The fake server stands in
 * for the host a run is pointed at and records the Authorization header of every request.
 */
const OPENAI_KEY = "sk-test-openai-key-0123456789abcdef";
const GENERIC_KEY = "sk-test-generic-key-0123456789abcdef";
/** Only the keys under test: nothing from the developer's own environment. */
const CLEAN = {
  BALLOT_OCR_API_KEY: "",
  OPENROUTER_API_KEY: "",
  OPENAI_API_KEY: "",
  GEMINI_API_KEY: "",
  BALLOT_OCR_PROVIDER: "",
  BALLOT_OCR_BASE_URL: "",
};

/** The configured keys that reached the fake host (the SDK sends a placeholder when there is none). */
function keysSeen(requests: readonly { readonly authorization: string | null }[]): string[] {
  return requests.flatMap((r) => [OPENAI_KEY, GENERIC_KEY].filter((key) => r.authorization?.includes(key)));
}

describe("API keys go only to their own host", () => {
  const batch = useSynthBatch("key-hosts", 1);

  it("CLI: a key given for OpenAI is not sent to a local preset the command points elsewhere", async () => {
    const fake = await batch.fakeServer();
    const env = { ...CLEAN, BALLOT_OCR_API_KEY: GENERIC_KEY, BALLOT_OCR_PROVIDER: "openai" };
    const run = runCli(batch.processArgs(fake, join(batch.root(), "out-vllm"), "--provider", "vllm"), env);
    const { code } = await run.done;
    expect(code).toBe(0);
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(keysSeen(fake.requests)).toEqual([]);
  });

  it("CLI: a preset's own variable is not sent when its base URL points at another host", async () => {
    const fake = await batch.fakeServer();
    const env = { ...CLEAN, OPENAI_API_KEY: OPENAI_KEY };
    const run = runCli(batch.processArgs(fake, join(batch.root(), "out-openai"), "--provider", "openai"), env);
    const { code, stderr } = await run.done;
    expect(code).toBe(2);
    expect(stderr).toContain("only sent to OpenAI");
    expect(stderr).not.toContain(OPENAI_KEY);
    expect(fake.requests).toHaveLength(0);
  });

  it("CLI: BALLOT_OCR_API_KEY still goes to the base URL given with it", async () => {
    const fake = await batch.fakeServer({ apiKey: GENERIC_KEY });
    const run = runCli(batch.processArgs(fake, join(batch.root(), "out-custom")), { ...CLEAN, BALLOT_OCR_API_KEY: GENERIC_KEY });
    expect((await run.done).code).toBe(0);
    expect(fake.requests.every((r) => r.authorization === `Bearer ${GENERIC_KEY}`)).toBe(true);
  });

  it("web: a run the page starts on a local preset gets no key configured for another provider", async () => {
    const fake = await batch.fakeServer();
    const outDir = join(batch.root(), "web-out");
    const started = await startWebApp({
      host: "127.0.0.1",
      port: 0,
      outDir,
      provider: "ollama",
      baseUrl: fake.baseUrl,
      model: "fake-vision-model",
      limits: { workers: 1 },
      env: { BALLOT_OCR_API_KEY: GENERIC_KEY, BALLOT_OCR_PROVIDER: "openai" },
      log: () => undefined,
    });
    if (!started.ok) throw new Error(started.error);
    const app = started.value;
    try {
      const origin = new URL(app.url).origin;
      const form = new FormData();
      for (const name of readdirSync(batch.forms(), { recursive: true, encoding: "utf8" })) {
        if (!name.endsWith(".pdf")) continue;
        const file = join(batch.forms(), name);
        form.append("path", relative(batch.forms(), file));
        form.append("file", new Blob([readFileSync(file)]), name);
      }
      const uploaded = (await (await fetch(`${origin}/api/uploads`, { method: "POST", body: form, headers: { origin } })).json()) as {
        batch: string;
      };
      const run = await fetch(`${origin}/api/runs`, {
        method: "POST",
        headers: { origin, "content-type": "application/json" },
        body: JSON.stringify({ batch: uploaded.batch, provider: "ollama", model: "fake-vision-model" }),
      });
      expect(run.status).toBe(202);
      await app.server.runs.settled();
      expect(fake.requests.length).toBeGreaterThan(0);
      expect(keysSeen(fake.requests)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
