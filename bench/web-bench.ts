/**
 * Web interface under load: N synthetic forms uploaded in one go through the page (folder input),
 * processed by the real engine against the fake provider, watched live in chromium.
 * Reports upload time, time to first result, run time, and the page's responsiveness during the
 * run (long tasks, worst frame gap, click-to-paint). Usage: tsx bench/web-bench.ts [count] [shots-dir]
 */
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../test/web/browser-launch.js";
import { startLiveSetup } from "../test/web/live-harness.js";

const count = Number(process.argv[2] ?? 300);
const shots = process.argv[3];

const INSTRUMENT = `
  window.__perf = { longTasks: [], events: [], frameGaps: [] };
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__perf.longTasks.push({ at: Math.round(e.startTime), ms: Math.round(e.duration) }); }).observe({ type: "longtask" });
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__perf.events.push({ name: e.name, duration: e.duration }); }).observe({ type: "event", durationThreshold: 16 });
  let last = performance.now();
  const tick = (now) => { window.__perf.frameGaps.push(now - last); last = now; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
`;

const t0 = performance.now();
const setup = await startLiveSetup({
  count,
  format: "pdf",
  dpi: 50,
  latencyMs: 300,
  limits: { workers: 8 },
  cacheDir: path.join(tmpdir(), `ballot-web-bench-scans-${count}`),
});
console.log(`generated ${count} synthetic PDFs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  await page.goto(setup.app.url);
  const uploadStart = performance.now();
  await page.setInputFiles("#pick-folder", setup.sourceDir);
  await page.locator("#upload-counts", { hasText: `${count + 1}/${count + 1}` }).waitFor({ timeout: 300_000 });
  const uploadMs = performance.now() - uploadStart;
  const accepted = await page.locator("#upload-table .chip.accepted").count();
  if (shots) await page.screenshot({ path: `${shots}/bench-upload.png` });

  await page.click("#go-run");
  await page.locator("#run-batch option").first().waitFor({ state: "attached" });
  await page.evaluate(INSTRUMENT);
  const runStart = performance.now();
  await page.click("#run-start");
  await page
    .locator("#live-table .chip.verified, #live-table .chip.needs_review")
    .first()
    .waitFor({ timeout: 120_000 })
    .catch(async (error: unknown) => {
      console.log(
        "no result yet:",
        await page.textContent("#run-message"),
        await page.textContent("#run-count"),
        await page.textContent("#run-log"),
      );
      if (shots) await page.screenshot({ path: `${shots}/bench-stuck.png`, fullPage: true });
      throw error;
    });
  const firstResultMs = performance.now() - runStart;

  // While the run goes on: real clicks on the tabs, timed from the click to the view being shown.
  const clickTimes: number[] = [];
  let midShot = false;
  for (;;) {
    const message = (await page.textContent("#run-message")) ?? "";
    if (message.includes("completed") || message.includes("fatal") || message.includes("cancelled")) break;
    for (const tab of process.env["BENCH_CLICKS"] === "0" ? [] : ["results", "run"]) {
      // Measured inside the page: from the click to the second animation frame after it (painted).
      const spent = (await page.evaluate(`new Promise((resolve) => {
        const started = performance.now();
        document.querySelector("a[data-tab=${tab}]").click();
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - started)));
      })`)) as number;
      await page.locator(`#view-${tab}:not([hidden])`).waitFor();
      clickTimes.push(spent);
    }
    if (!midShot && shots) {
      const done = Number(((await page.textContent("#run-count")) ?? "0").split("/")[0]?.replace(/[^0-9]/g, ""));
      if (done > count / 3) {
        await page.screenshot({ path: `${shots}/bench-progress.png` });
        midShot = true;
      }
    }
    await page.waitForTimeout(500);
  }
  const runMs = performance.now() - runStart;
  const sections = (await page.evaluate("window.__timings")) as Record<string, number>;
  const perf = (await page.evaluate("window.__perf")) as {
    longTasks: { at: number; ms: number }[];
    events: { name: string; duration: number }[];
    frameGaps: number[];
  };
  await page.click("a[data-tab=results]");
  await page.locator("#results-table tbody tr.link").first().waitFor();
  const shownTotal = await page.textContent("#page-info");
  if (shots) await page.screenshot({ path: `${shots}/bench-results.png` });
  const counts = await page.textContent("#status-chips");
  const max = (xs: number[]) => (xs.length ? Math.max(...xs) : 0);
  const p95 = (xs: number[]) => (xs.length ? ([...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? 0) : 0);
  console.log(
    JSON.stringify(
      {
        files: count,
        accepted,
        uploadSeconds: +(uploadMs / 1000).toFixed(1),
        timeToFirstResultSeconds: +(firstResultMs / 1000).toFixed(2),
        runSeconds: +(runMs / 1000).toFixed(1),
        resultsShown: shownTotal,
        statusChips: counts,
        longTasks: {
          count: perf.longTasks.length,
          maxMs: max(perf.longTasks.map((t) => t.ms)),
          over100ms: perf.longTasks.filter((t) => t.ms > 100).length,
        },
        slowEvents: { count: perf.events.length, maxMs: Math.round(max(perf.events.map((e) => e.duration))) },
        frameGapMs: { max: Math.round(max(perf.frameGaps)), p95: Math.round(p95(perf.frameGaps)) },
        slowestSectionMs: Object.fromEntries(Object.entries(sections).map(([k, v]) => [k, Math.round(v)])),
        tabClickToPaintMs: { count: clickTimes.length, max: Math.round(max(clickTimes)), p95: Math.round(p95(clickTimes)) },
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
  await setup.cleanup();
}
