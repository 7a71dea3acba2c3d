import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startWebApp, type WebApp } from "../../src/web/web-app.js";

/** The web UI offers the same readers as the CLI, and with no key it defaults to the offline one. */
describe("serve: reader defaults", () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0)) await step();
  });

  async function start(
    env: NodeJS.ProcessEnv,
  ): Promise<{ defaults: { provider: string; model: string; providers: string[]; keyConfigured: boolean }; text: string }> {
    const outDir = mkdtempSync(join(tmpdir(), "web-reader-"));
    const started = await startWebApp({ host: "127.0.0.1", port: 0, outDir, limits: {}, env, log: () => undefined });
    if (!started.ok) throw new Error(started.error);
    const app: WebApp = started.value;
    cleanup.push(async () => {
      await app.close();
      rmSync(outDir, { recursive: true, force: true });
    });
    const response = await fetch(new URL("/api/config", app.url));
    const text = await response.text();
    return { defaults: (JSON.parse(text) as { defaults: never }).defaults, text };
  }

  it("defaults to the local reader when no key is configured, and offers local and cascade", async () => {
    const { defaults } = await start({});
    expect(defaults.provider).toBe("local");
    expect(defaults.keyConfigured).toBe(false);
    expect(defaults.providers).toEqual(expect.arrayContaining(["openrouter", "local", "cascade"]));
  });

  it("uses the configured vision model when a key is set, and never shows the key", async () => {
    const key = "test-openrouter-key-for-web-defaults";
    const { defaults, text } = await start({ OPENROUTER_API_KEY: key });
    expect(defaults.provider).toBe("openrouter");
    expect(defaults.keyConfigured).toBe(true);
    expect(text).not.toContain(key);
  });
});
