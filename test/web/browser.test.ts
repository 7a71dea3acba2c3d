import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, CHROMIUM_ARGS } from "./browser-launch.js";
import { TEST_KEY } from "./helpers.js";
import { startWebApp } from "../../src/web/web-app.js";
import { type LiveSetup, startLiveSetup } from "./live-harness.js";

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
/** Set to a folder to keep screenshots of the main screens. */
const shots = process.env["BALLOT_OCR_SCREENSHOTS"];

async function shot(page: Page, name: string): Promise<void> {
  if (shots) await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

describe.skipIf(!hasChromium)("web interface in a real browser", () => {
  let setup: LiveSetup;
  let browser: Browser;

  beforeAll(async () => {
    setup = await startLiveSetup({ count: 5, format: "pdf" });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await setup?.cleanup();
  });

  it("uploads a folder, runs it live, corrects the misread value, approves it and downloads the CSV", async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(setup.app.url);

    // 1. Upload the whole folder: 5 forms accepted, truth.jsonl refused with its reason.
    await page.setInputFiles("#pick-folder", setup.sourceDir);
    await page.locator("#upload-counts", { hasText: "6/6" }).waitFor();
    const rows = page.locator("#upload-table tbody tr");
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(6);
    await expect.poll(() => page.locator("#upload-table .chip.accepted").count(), { timeout: 30_000 }).toBe(5);
    const refusedRow = page.locator("#upload-table tbody tr", { has: page.locator(".chip.refused") });
    expect(await refusedRow.textContent()).toContain("not a PDF, PNG, JPEG, WebP or TIFF");
    const storedPath = path.join(setup.outDir, "uploads");
    expect(existsSync(storedPath)).toBe(true);
    await shot(page, "1-upload");

    // 2. Start the run from the page and watch it reach the end.
    await page.click("#go-run");
    await page.waitForSelector("#view-run:not([hidden])");
    await page.locator("#run-batch option[value^=b]").waitFor({ state: "attached" });
    expect(await page.inputValue("#run-key")).not.toContain(TEST_KEY);
    // The model's reading accepted on the checks: the review below is of the one form whose checks fail.
    await page.uncheck("#run-witness");
    await page.check("#run-accept-single");
    await page.click("#run-start");
    await page.locator("#run-message", { hasText: "completed" }).waitFor({ timeout: 60_000 });
    expect(await page.textContent("#run-count")).toContain("5 / 5");
    expect(await page.textContent("[data-stat=needs_review]")).toBe("1");
    await shot(page, "2-progress");

    // A second tab sees the same state (the server sends a snapshot first).
    const second = await context.newPage();
    await second.goto(`${new URL(setup.app.url).origin}/#/run`);
    await second.locator("#run-count", { hasText: "5 / 5" }).waitFor();
    await second.close();

    // 3. Results, then the flagged document from the review queue.
    await page.click("a[data-tab=results]");
    await expect.poll(() => page.locator("#results-table tbody tr.link").count(), { timeout: 30_000 }).toBe(5);
    await shot(page, "3-results");
    await page.click("a[data-tab=review]");
    const flagged = page.locator(`#review-table tbody tr[data-id="${setup.misread.documentId}"]`);
    await flagged.waitFor();
    await flagged.click();
    const input = page.locator(`#doc-votes input[data-field="votes.${setup.misread.row}"]`);
    await input.waitFor();
    expect(await input.inputValue()).toBe(String(setup.misread.readValue));
    expect(await page.locator("#doc-votes tr.suspect").count()).toBeGreaterThan(0);
    expect(await page.locator("#doc-checks li.fail").count()).toBeGreaterThan(0);
    // Polled from the test side: waitForFunction's in-page polling uses eval, which the page's CSP forbids.
    await expect
      .poll(
        () =>
          page
            .locator("#doc-pages img")
            .first()
            .evaluate((element) => {
              const img = element as unknown as { complete: boolean; naturalWidth: number };
              return img.complete && img.naturalWidth > 0;
            }),
        { timeout: 60_000 },
      )
      .toBe(true);
    await shot(page, "4-document");

    // 4. Correct the value and approve with a reviewer name.
    await input.fill(String(setup.misread.truthValue));
    await page.fill("#reviewer", "ผู้ตรวจ ทดสอบ");
    await page.click("#doc-approve");
    await page.locator("#doc-head", { hasText: "ผู้ตรวจ ทดสอบ" }).waitFor();
    expect(await page.locator("#doc-checks li.fail.error").count()).toBe(0);
    expect(await page.textContent("#doc-audit")).toContain(String(setup.misread.readValue));
    expect(await page.textContent("#doc-votes")).toContain("ผู้ตรวจ ทดสอบ");
    await shot(page, "5-corrected");

    // 5. Download votes.csv from the page: the corrected value is there, marked with the reviewer.
    await page.click("a[data-tab=summary]");
    const link = page.locator("#downloads a", { hasText: "votes.csv" });
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    const csv = await readFile(await download.path(), "utf8");
    const line = csv.split("\n").find((l) => l.startsWith(setup.misread.documentId) && l.includes("ผู้ตรวจ ทดสอบ"));
    expect(line).toBeDefined();
    expect(line).toContain(`,${setup.misread.truthValue},`);
    expect(csv).not.toContain(String(TEST_KEY));
    await shot(page, "6-summary");

    // The language switch: English only, then Thai only.
    await page.selectOption("#lang", "en");
    expect(await page.textContent("a[data-tab=results]")).toBe("Results");
    await page.click("a[data-tab=upload]");
    await shot(page, "7-english");
    await page.selectOption("#lang", "th");
    expect(await page.textContent("a[data-tab=results]")).toBe("ผลลัพธ์");
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("works with an access token: the link sets a cookie, the page and its live events follow", async () => {
    const outDir = await mkdtemp(path.join(tmpdir(), "ballot-web-token-"));
    const token = "browser-test-token-0123456789";
    const started = await startWebApp({ host: "127.0.0.1", port: 0, outDir, token, limits: {}, env: {}, log: () => undefined });
    if (!started.ok) throw new Error(started.error);
    const app = started.value;
    try {
      const origin = new URL(app.url).origin;
      expect((await fetch(`${origin}/api/config`)).status).toBe(401);
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(app.url);
      expect(page.url()).toBe(`${origin}/`);
      await page.locator("#upload-limits", { hasText: "MB/file" }).waitFor();
      const events = await page.evaluate(
        `new Promise((resolve) => { const s = new EventSource("/api/events"); s.addEventListener("snapshot", (m) => { s.close(); resolve(m.data); }); })`,
      );
      expect(JSON.parse(String(events))).toEqual({ run: null, active: false });
      await context.close();
    } finally {
      await app.close();
      await rm(outDir, { recursive: true, force: true });
    }
  });
});
