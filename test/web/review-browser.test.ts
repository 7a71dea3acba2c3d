/// <reference lib="dom" />
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FormResult } from "../../src/forms/form-result.js";
import { generateSynthBatch, type SynthTruthLine, TRUTH_FILE } from "../../src/synth/generate.js";
import type { WebApp } from "../../src/web/web-app.js";
import { CHROMIUM, startLocalAppAndBrowser } from "./browser-launch.js";

const hasChromium = existsSync(CHROMIUM);
/** Screenshots kept as test artifacts (bench/results/ is gitignored). */
const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bench/results/review-ui");

async function truthOf(dir: string): Promise<SynthTruthLine[]> {
  return (await readFile(path.join(dir, TRUTH_FILE), "utf8"))
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as SynthTruthLine);
}

/** The value written on the paper for an edit field (`votes.N` / `totals.key`). */
function paperValue(truth: FormResult, field: string): number {
  const [group, key] = field.split(".");
  if (group === "votes") return truth.votes.find((v) => v.number === Number(key))?.value ?? 0;
  return truth.totals[key as keyof FormResult["totals"]]?.value ?? 0;
}

describe.skipIf(!hasChromium)("cell-by-cell review in a real browser, offline reader", () => {
  let root = "";
  let app: WebApp;
  let browser: Browser;
  const truth = new Map<string, SynthTruthLine>();

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "ballot-review-ui-"));
    const scans = path.join(root, "scans");
    // Four clean forms (scan noise, so the offline reader leaves some cells unread), and one whose
    // official wrote an inconsistent number (the paper itself does not add up).
    await generateSynthBatch({
      outDir: path.join(scans, "set-a"),
      count: 4,
      kind: "constituency",
      form: "5/18",
      seed: 7,
      format: "pdf",
      noise: "scan",
      errorRate: 0,
    });
    await generateSynthBatch({
      outDir: path.join(scans, "set-b"),
      count: 1,
      kind: "constituency",
      form: "5/18",
      seed: 31,
      format: "pdf",
      noise: "scan",
      errorRate: 1,
    });
    for (const set of ["set-a", "set-b"]) for (const line of await truthOf(path.join(scans, set))) truth.set(line.sha256, line);
    // A loose file for "Choose files": no folder names at all.
    await generateSynthBatch({
      outDir: path.join(root, "loose"),
      count: 1,
      kind: "constituency",
      form: "5/18",
      seed: 53,
      format: "pdf",
      noise: "none",
      errorRate: 0,
    });
    ({ app, browser } = await startLocalAppAndBrowser(path.join(root, "out")));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("corrects unread cells through their crops with the keyboard only, approves, and opens the next form", async () => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(app.url);
    expect((await page.request.get(new URL("/favicon.ico", app.url).href)).status()).toBe(200);

    // Upload and read everything offline.
    await page.setInputFiles("#pick-folder", path.join(root, "scans"));
    await expect.poll(() => page.locator("#upload-table .chip.accepted").count(), { timeout: 60_000 }).toBe(5);
    await page.click("#go-run");
    await page.locator("#run-batch option[value^=b]").waitFor({ state: "attached" });
    await page.click("#run-start");
    await page.locator("#run-message", { hasText: "completed" }).waitFor({ timeout: 150_000 });

    // The Thai queue: readable sentences, ranked by what is at stake.
    await page.selectOption("#lang", "th");
    await page.click("a[data-tab=review]");
    const queueRows = page.locator("#review-table tbody tr.link");
    await queueRows.first().waitFor();
    const queued = await queueRows.count();
    expect(queued).toBeGreaterThanOrEqual(2);
    const reasons = await page.locator("#review-table tbody ul.reasons li").allTextContents();
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) {
      expect(reason).toMatch(/[\u0E00-\u0E7F]/);
      expect(reason).not.toMatch(/digits-parse|cell-legible|votes-sum-good|\(\+\d+\)/);
    }
    // One sentence per doubted cell: no cell is named twice in a form's reasons.
    for (const row of await queueRows.all()) {
      const named = (await row.locator("ul.reasons li").allTextContents())
        .map((r) => r.split(":")[0])
        .filter((n) => /^หมายเลข|^บัตร|^รวม/.test(n ?? ""));
      expect(new Set(named).size).toBe(named.length);
    }
    console.log(`Thai review queue reasons (sample): ${JSON.stringify(reasons.slice(0, 6))}`);
    const impacts = await page.locator("#review-table tbody td.impact").allTextContents();
    expect(impacts.join(" ")).toMatch(/คะแนน|ไฟล์|ช่อง/);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "review-queue-th.png"), fullPage: true });

    // Work through the queue from its top form: keyboard only from here on.
    const firstId = await queueRows.first().getAttribute("data-id");
    await page.goto(`${new URL(app.url).origin}/#/doc/${firstId}`);
    await page.locator("#review-cells li").first().waitFor();
    await page.waitForFunction(
      () => {
        const img = document.querySelector("#review-cells img.crop");
        return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
      },
      undefined,
      { timeout: 60_000 },
    );
    await page.screenshot({ path: path.join(ARTIFACTS, "review-cells-th.png"), fullPage: false });
    // The reviewer's name once, then Enter goes to the first doubted cell.
    await page.focus("#reviewer");
    await page.keyboard.type("ผู้ตรวจ แป้นพิมพ์");
    await page.keyboard.press("Enter");

    const confirmed = new Map<string, string[]>();
    const asWritten: string[] = [];
    const approvedIds: string[] = [];
    for (let forms = 0; forms < queued + 2; forms++) {
      const hash = await page.evaluate(() => location.hash);
      if (!hash.startsWith("#/doc/")) break;
      const id = hash.slice("#/doc/".length);
      const line = truth.get(id);
      if (!line) throw new Error(`no truth for ${id}`);
      await page.locator("#review-cells li").first().waitFor();
      const fields: string[] = [];
      for (let guard = 0; guard < 80; guard++) {
        const focused = await page.evaluate(() => {
          const active = document.activeElement;
          return active instanceof HTMLInputElement && active.dataset.field !== undefined
            ? { field: active.dataset.field, value: active.value }
            : null;
        });
        if (focused === null) break;
        const written = String(paperValue(line.truth, focused.field));
        // Enter confirms the proposed value; typing replaces it (the value is selected on focus).
        if (focused.value !== written) await page.keyboard.type(written);
        fields.push(focused.field);
        await page.keyboard.press("Enter");
        // Settled when the cell is no longer pending (done, or settled and gone after a reload), or the form moved on (approved, or "as written" offered).
        await page.waitForFunction(
          ([field, docId]) =>
            document.querySelector(`#review-cells input[data-field="${field}"]:not([data-done])`) === null ||
            location.hash !== `#/doc/${docId}` ||
            document.querySelector("#as-written:not([hidden])") !== null,
          [focused.field, id] as const,
        );
        await page.waitForFunction(
          ([docId]) =>
            location.hash !== `#/doc/${docId}` ||
            document.querySelector("#as-written:not([hidden])") !== null ||
            (document.activeElement instanceof HTMLInputElement &&
              document.activeElement.dataset.field !== undefined &&
              !document.activeElement.dataset.done),
          [id] as const,
        );
        const stillHere = await page.evaluate((docId) => location.hash === `#/doc/${docId}`, id);
        const shown = await page.locator("#as-written:not([hidden])").count();
        if (process.env["REVIEW_DEBUG"])
          console.log(
            id.slice(0, 8),
            focused.field,
            focused.value,
            written,
            stillHere,
            shown,
            shown ? await page.locator("#toast").textContent() : "",
          );
        if (!stillHere || shown) break;
      }
      confirmed.set(id, fields);
      // Approval refused because the paper itself does not add up: approve it as written with a note.
      if (await page.locator("#as-written:not([hidden])").count()) {
        const toast = await page.locator("#toast").boundingBox();
        for (const button of ["#doc-approve", "#approve-as-written"]) {
          const box = await page.locator(button).boundingBox();
          if (toast && box) {
            const overlaps =
              toast.x < box.x + box.width &&
              box.x < toast.x + toast.width &&
              toast.y < box.y + box.height &&
              box.y < toast.y + toast.height;
            expect(overlaps, `the toast covers ${button}`).toBe(false);
          }
        }
        await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("as-written-note");
        await page.keyboard.type("ยอดบัตรดีในเอกสารเขียนผิด (official arithmetic error)");
        await page.keyboard.press("Enter");
        asWritten.push(id);
      } else approvedIds.push(id);
      await page
        .waitForFunction((docId) => location.hash !== `#/doc/${docId}`, id, { timeout: 30_000 })
        .catch(async (error) => {
          await page.screenshot({ path: path.join(ARTIFACTS, "stuck.png"), fullPage: true });
          throw new Error(`form ${id} did not finish (${fields.join(", ")}): ${await page.locator("#toast").textContent()} / ${error}`);
        });
      // The next form opens by itself; its first doubted cell has the focus.
      if ((await page.evaluate(() => location.hash)).startsWith("#/doc/")) {
        await page.waitForFunction(
          () => document.activeElement instanceof HTMLInputElement && document.activeElement.dataset.field !== undefined,
          undefined,
          { timeout: 60_000 },
        );
      }
    }
    const seconds = (await page.evaluate(() => (window as unknown as { __reviewSeconds?: number[] }).__reviewSeconds ?? [])) as number[];
    const cells = [...confirmed.values()].reduce((n, f) => n + f.length, 0);
    const summary = {
      forms: seconds.length,
      cells,
      secondsPerForm: seconds,
      meanSecondsPerForm: seconds.reduce((a, b) => a + b, 0) / Math.max(1, seconds.length),
    };
    console.log(`review speed (browser, keyboard only): ${JSON.stringify(summary)}`);
    await writeFile(path.join(ARTIFACTS, "review-speed.json"), `${JSON.stringify(summary, null, 2)}\n`);

    // Every form left the queue; each ended verified with an audit entry per confirmed cell.
    expect(asWritten.length).toBe(1);
    expect(truth.get(asWritten[0]!)?.injected.length).toBe(1);
    expect(approvedIds.length + asWritten.length).toBe(queued);
    const api = (url: string) => page.request.get(new URL(url, app.url).href).then((r) => r.json());
    for (const id of [...approvedIds, ...asWritten]) {
      const doc = await api(`/api/documents/${id}`);
      expect(doc.result.status).toBe("verified");
      expect(doc.result.review.approvedBy).toBe("ผู้ตรวจ แป้นพิมพ์");
      const edited = new Set(doc.edits.map((e: { field: string }) => e.field));
      for (const field of confirmed.get(id) ?? []) expect(edited.has(field), `${id} ${field}`).toBe(true);
      for (const field of confirmed.get(id) ?? []) expect(paperValue(doc.result, field)).toBe(paperValue(truth.get(id)!.truth, field));
      if (asWritten.includes(id))
        expect(doc.result.review).toMatchObject({ asWritten: true, note: expect.stringContaining("official arithmetic error") });
      else expect(doc.result.review.asWritten).toBeUndefined();
    }
    expect((await api("/api/review")).total).toBe(0);
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 400_000);

  it("asks for the province and constituency of files chosen without folders (finding 6)", async () => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    await page.goto(app.url);
    await page.click("#new-batch");
    const [loose] = await truthOf(path.join(root, "loose"));
    await page.setInputFiles("#pick-files", path.join(root, "loose", loose!.path));
    await page.locator("#batch-where:not([hidden])").waitFor();
    await page.keyboard.type("แพร่");
    await page.keyboard.press("Tab");
    await page.keyboard.type("2");
    await page.keyboard.press("Enter");
    const row = page.locator("#upload-table tbody tr", { has: page.locator(".chip.accepted") });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.locator("td").first().textContent()).toBe(`เขตเลือกตั้งที่ 2 จังหวัดแพร่/${path.basename(loose!.path)}`);
    const batch = (await page.textContent("#batch-id"))?.trim() ?? "";
    await page.click("#go-run");
    await page.locator(`#run-batch option[value="${batch}"]`).waitFor({ state: "attached" });
    await page.selectOption("#run-batch", batch);
    await page.click("#run-start");
    await page.locator("#run-message", { hasText: batch }).waitFor({ timeout: 30_000 });
    await page.locator("#run-message", { hasText: "completed" }).waitFor({ timeout: 120_000 });
    const list = await (
      await page.request.get(new URL(`/api/documents?province=${encodeURIComponent("แพร่")}&constituency=2`, app.url).href)
    ).json();
    expect(list.rows.map((r: { id: string }) => r.id)).toContain(loose!.sha256);
    const shown = list.rows.find((r: { id: string }) => r.id === loose!.sha256);
    expect(shown).toMatchObject({ province: "แพร่", constituency: 2 });
    await context.close();
  }, 200_000);
});
