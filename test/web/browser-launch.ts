import { type Browser, chromium } from "playwright-core";
import { startWebApp, type WebApp } from "../../src/web/web-app.js";

/** Debian's chromium (apt-get install chromium); never a downloaded browser. */
export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** The web app on the offline reader (no key, no provider) in `outDir`, and Chromium, for the review browser tests. */
export async function startLocalAppAndBrowser(outDir: string): Promise<{ app: WebApp; browser: Browser }> {
  const started = await startWebApp({ host: "127.0.0.1", port: 0, outDir, provider: "local", limits: {}, env: {}, log: () => undefined });
  if (!started.ok) throw new Error(started.error);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return { app: started.value, browser };
}
