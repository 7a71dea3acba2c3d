/// <reference lib="dom" />
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CellId, Witness } from "../../src/forms/evidence.js";
import type { FormResult, VoteRow } from "../../src/forms/form-result.js";
import { LOCAL_READER_ID } from "../../src/local/decide.js";
import { SqliteStore } from "../../src/storage/sqlite-store.js";
import { generateSynthBatch, type SynthTruthLine, TRUTH_FILE } from "../../src/synth/generate.js";
import { allCells, cellIdOf } from "../../src/verify/cells.js";
import { checkForm } from "../../src/verify/check-form.js";
import { applyVerdict, readingWitness, recordWitnesses } from "../../src/verify/verdict.js";
import type { WebApp } from "../../src/web/web-app.js";
import { statePath } from "../../src/workspace/state-path.js";
import { CHROMIUM, startLocalAppAndBrowser } from "./browser-launch.js";

const hasChromium = existsSync(CHROMIUM);
const MODEL_SOURCE = "fake:fake-vision";
const REVIEWER = "ผู้ตรวจ พยาน";
/** Screenshots kept as test artifacts (bench/results/ is gitignored). */
const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bench/results/review-ui");

/**
 * The stored result of a run in which the model misread one vote row (it dropped the last digit)
 * and the offline reader read every cell as written: built through the run's own steps (the
 * checks, then recordWitnesses with the offline reader's witnesses, then applyVerdict), so the
 * row is `disputed` and every other needed cell `agreed`.
 */
function disputedRun(truth: FormResult, sourcePath: string): { result: FormResult; row: VoteRow; misread: number } {
  const row = truth.votes.find((v) => (v.value ?? 0) >= 100) ?? truth.votes[0]!;
  const misread = Math.floor((row.value ?? 0) / 10);
  const read: FormResult = {
    ...truth,
    document: { ...truth.document, sources: truth.document.sources.map((s) => ({ ...s, path: sourcePath })) },
    votes: truth.votes.map((v) => (v.number === row.number ? { ...v, digits: String(misread), words: null, value: misread } : v)),
    provenance: { ...truth.provenance, provider: "fake", model: "fake-vision", requests: 1, attempts: 1 },
  };
  const outcome = checkForm(read);
  const checked: FormResult = { ...read, checks: outcome.checks, status: outcome.status, reasons: outcome.reasons };
  const local = new Map<CellId, Witness[]>();
  for (const { ref, cell } of allCells(truth)) {
    const w = readingWitness("local", LOCAL_READER_ID, ref, cell);
    local.set(cellIdOf(ref), [{ ...w, words: null, confidence: 0.97, alternatives: [] }]);
  }
  // A second model that could not read the register line (a cell the verdict does not need).
  local.get("eligibleVoters")?.push({ kind: "second_model", source: "fake:second-vision", digits: null, words: null, value: null });
  return { result: applyVerdict(recordWitnesses(checked, local, MODEL_SOURCE)), row, misread };
}

/** A number as the page shows it. */
const shown = (value: number | null | undefined): string => new Intl.NumberFormat("th-TH").format(value ?? Number.NaN);

async function cropLoaded(page: Page, selector: string): Promise<void> {
  await page.locator(selector).first().scrollIntoViewIfNeeded();
  await page.waitForFunction(
    (sel) => {
      const img = document.querySelector(sel);
      return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
    },
    selector,
    { timeout: 60_000 },
  );
}

describe.skipIf(!hasChromium)("a disputed cell in a real browser (issue 13)", () => {
  let root = "";
  let app: WebApp;
  let browser: Browser;
  let truth: SynthTruthLine;
  let seeded: ReturnType<typeof disputedRun>;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "ballot-disputed-"));
    const scans = path.join(root, "scans");
    await generateSynthBatch({
      outDir: scans,
      count: 1,
      kind: "constituency",
      form: "5/18",
      seed: 7,
      format: "pdf",
      noise: "none",
      errorRate: 0,
    });
    truth = JSON.parse((await readFile(path.join(scans, TRUTH_FILE), "utf8")).split("\n")[0]!) as SynthTruthLine;
    // The file as an upload stores it (<out>/uploads/<batch>/<relative path>), and its result in the run's store.
    const outDir = path.join(root, "out");
    const stored = path.join(outDir, "uploads", "b20260101000000-d15b07", truth.path);
    await mkdir(path.dirname(stored), { recursive: true });
    await copyFile(path.join(scans, truth.path), stored);
    seeded = disputedRun(truth.truth, stored);
    expect(seeded.result.status).toBe("needs_review");
    expect(seeded.result.votes.find((v) => v.number === seeded.row.number)?.verdict).toBe("disputed");
    const store = SqliteStore.open(statePath(outDir));
    store.upsertDocument({
      id: truth.sha256,
      primaryPath: stored,
      container: "pdf",
      sources: seeded.result.document.sources,
      pathMetadata: null,
    });
    store.saveResult(seeded.result);
    store.close();
    ({ app, browser } = await startLocalAppAndBrowser(outDir));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("shows both readings with the crop, and a person's choice makes the cell agreed and the form verified", async () => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    const id = truth.sha256;
    const { row, misread } = seeded;
    const written = row.value ?? 0;
    const field = `votes.${row.number}`;
    const api = async (url: string) => (await page.request.get(new URL(url, app.url).href)).json();

    await page.goto(app.url);
    await page.selectOption("#lang", "en");
    await page.click("a[data-tab=review]");
    const queued = page.locator("#review-table tbody tr.link");
    await queued.first().waitFor();
    expect(await queued.count()).toBe(1);
    expect(await queued.first().getAttribute("data-id")).toBe(id);
    // The queue names each reader's value.
    const reason = `Row ${row.number}: the readers disagree: the model read ${misread}, the offline reader read ${written}.`;
    expect(await page.locator("#review-table tbody ul.reasons").textContent()).toContain(reason);

    // The document: the disputed cell in the review panel, both readings named, its crop beside it.
    await queued.first().click();
    const item = page.locator(`#review-cells li[data-field="${field}"]`);
    await item.waitFor();
    expect(await page.locator("#review-cells li").count()).toBe(1);
    expect(await item.getAttribute("data-code")).toBe("disputed");
    expect(await item.locator(".sentence").textContent()).toBe(reason);
    await cropLoaded(page, `#review-cells li[data-field="${field}"] img.crop`);

    // The document view: who read what in every cell, and its verdict, with the cell's crop.
    const docRow = page.locator(`#doc-votes tr[data-field="${field}"]`);
    expect(await docRow.locator(".readers").getAttribute("data-verdict")).toBe("disputed");
    expect(await docRow.locator(".readers .verdict").textContent()).toBe("disputed");
    expect(await docRow.locator(".readers .witness").allTextContents()).toEqual([
      `model: ${shown(misread)}`,
      `offline reader: ${shown(written)}`,
    ]);
    await cropLoaded(page, `#doc-votes tr[data-field="${field}"] img.crop`);
    const other = seeded.result.votes.find((v) => v.number !== row.number)!;
    const otherRow = page.locator(`#doc-votes tr[data-field="votes.${other.number}"]`);
    expect(await otherRow.locator(".readers .verdict").textContent()).toBe("agreed");
    expect(await otherRow.locator(".readers .witness").allTextContents()).toEqual([
      `model: ${shown(other.value)}`,
      `offline reader: ${shown(other.value)}`,
    ]);
    await mkdir(ARTIFACTS, { recursive: true });
    await docRow.screenshot({ path: path.join(ARTIFACTS, "disputed-row-en.png") });
    await page.screenshot({ path: path.join(ARTIFACTS, "disputed-doc-en.png"), fullPage: true });
    await page.locator("#doc-totals").screenshot({ path: path.join(ARTIFACTS, "disputed-totals-en.png") });
    const register = page.locator(`#doc-totals tr[data-field="totals.eligibleVoters"]`);
    expect(await register.locator(".readers .verdict").count()).toBe(0);
    expect(await register.locator(".readers .witness").allTextContents()).toEqual([
      `model: ${shown(truth.truth.totals.eligibleVoters?.value)}`,
      `offline reader: ${shown(truth.truth.totals.eligibleVoters?.value)}`,
      "second model: ?",
    ]);
    // Bilingual like the rest of the page.
    await page.selectOption("#lang", "th");
    await expect.poll(() => docRow.locator(".readers .verdict").textContent()).toBe("อ่านไม่ตรงกัน");
    expect(await docRow.locator(".readers .witness").allTextContents()).toEqual([
      `โมเดล: ${shown(misread)}`,
      `ตัวอ่านในเครื่อง: ${shown(written)}`,
    ]);

    // The person's choice, keyboard only: the name, Enter to the cell, type what the paper says, Enter.
    await page.focus("#reviewer");
    await page.keyboard.type(REVIEWER);
    await page.keyboard.press("Enter");
    await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.dataset?.["field"])).toBe(field);
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe(String(misread));
    await page.keyboard.type(String(written));
    await page.keyboard.press("Enter");
    // The only gap: the form is approved and, with nothing left, the page goes back to the queue.
    await page.waitForFunction(() => location.hash === "#/review", undefined, { timeout: 30_000 });

    const doc = await api(`/api/documents/${id}`);
    const cell = doc.result.votes.find((v: VoteRow) => v.number === row.number) as VoteRow;
    expect(cell).toMatchObject({ value: written, verdict: "agreed" });
    expect(cell.witnesses?.map((w) => [w.kind, w.source, w.value])).toEqual([
      ["model", MODEL_SOURCE, misread],
      ["local", LOCAL_READER_ID, written],
      ["person", REVIEWER, written],
    ]);
    expect(doc.result).toMatchObject({ status: "verified", assurance: "witnesses", review: { approvedBy: REVIEWER } });
    expect(doc.edits.map((e: { field: string; newValue: unknown }) => [e.field, e.newValue])).toContainEqual([field, written]);
    expect((await api("/api/review")).total).toBe(0);

    // The page says so too: the person is a witness and the cell is agreed.
    await page.goto(`${new URL(app.url).origin}/#/doc/${id}`);
    await page.locator(`#doc-votes tr[data-field="${field}"] .readers[data-verdict="agreed"]`).waitFor();
    await page.selectOption("#lang", "en");
    await expect.poll(() => docRow.locator(".readers .verdict").textContent()).toBe("agreed");
    expect(await docRow.locator(".readers .witness").allTextContents()).toEqual([
      `model: ${shown(misread)}`,
      `offline reader: ${shown(written)}`,
      `person ${REVIEWER}: ${shown(written)}`,
    ]);
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 180_000);
});
