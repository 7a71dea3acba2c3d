/**
 * Preparation CPU on a small machine (`npm run bench:prepare`): large PNG scans (2480×3509, as a
 * flatbed scanner writes them) through the real discovery and page preparation (worker threads),
 * one request per document to an in-process simulated provider with 200 ms latency, under a
 * 20 req/s client limit. Shows whether the limit or the CPU binds: docs/s ÷ limit, client CPU per
 * page (every thread of the process) and the bytes sent per page.
 *
 *   npx tsx bench/prepare-bench.ts [documents=500] [rps=20]
 *
 * It runs the compiled code (`dist/`, built by the npm script), as the CLI does: from the TypeScript
 * sources every worker thread would compile them again through tsx.
 *
 * The scans come from the project's generator (a few distinct pages, each copied with a unique
 * PNG text chunk so every file is its own document). Figures go to bench/results/prepare-bench.json.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import type { DocumentPipeline } from "../src/batch/pipeline.js";
import { createFakePipeline } from "../test/e2e/support/fake-pipeline.js";
import { createSimulatedProvider } from "../test/e2e/support/simulated-provider.js";
import { pngWithComment } from "./support/png-copies.js";

/** A compiled module from `dist/` (built by the npm script), typed as its source. */
async function compiled<T>(path: string): Promise<T> {
  return (await import(new URL(`../dist/${path}`, import.meta.url).href)) as T;
}
const { runBatch } = await compiled<typeof import("../src/batch/engine.js")>("batch/engine.js");
const { DEFAULT_RETRY_POLICY } = await compiled<typeof import("../src/batch/retry-policy.js")>("batch/retry-policy.js");
const { createStandardPipeline } = await compiled<typeof import("../src/batch/standard-pipeline.js")>("batch/standard-pipeline.js");
const { SqliteStore } = await compiled<typeof import("../src/storage/sqlite-store.js")>("storage/sqlite-store.js");
const { generateSynthBatch } = await compiled<typeof import("../src/synth/generate.js")>("synth/generate.js");

const WIDTH = 2480;
const HEIGHT = 3509;

/** Distinct generator scans at 300 dpi, first page only, as 2480×3509 RGB PNGs. */
async function makeScans(dir: string, count: number): Promise<number> {
  const work = join(dir, "gen");
  await generateSynthBatch({
    outDir: work,
    count: 3,
    kind: "constituency",
    form: "5/18",
    seed: 11,
    format: "png",
    noise: "scan",
    errorRate: 0,
    dpi: 300,
  });
  const firstPages: string[] = [];
  const walk = (path: string) => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name === "page-1.png") firstPages.push(full);
    }
  };
  walk(work);
  if (firstPages.length === 0) throw new Error("the generator wrote no first pages");
  const bases = await Promise.all(
    firstPages.map((file) => sharp(readFileSync(file)).resize(WIDTH, HEIGHT, { fit: "fill" }).removeAlpha().png().toBuffer()),
  );
  const scans = join(dir, "scans");
  mkdirSync(scans, { recursive: true });
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const png = pngWithComment(bases[i % bases.length] as Buffer, `copy ${i}`);
    bytes += png.length;
    writeFileSync(join(scans, `unit-${String(i).padStart(4, "0")}.png`), png);
  }
  rmSync(work, { recursive: true, force: true });
  return bytes / count;
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 500);
  const rps = Number(process.argv[3] ?? 20);
  const dir = mkdtempSync(join(tmpdir(), "prepare-bench-"));
  try {
    const sourceBytes = await makeScans(dir, count);
    const standard = createStandardPipeline({ requestMode: "document", reask: false, providerName: "simulated", model: "sim/vision" });
    const fake = createFakePipeline();
    let pages = 0;
    let sentBytes = 0;
    const pipeline: DocumentPipeline = {
      discover: standard.discover,
      ...(standard.discoverByFolder ? { discoverByFolder: standard.discoverByFolder } : {}),
      prepare: standard.prepare,
      extract(doc, prepared, gate, signal) {
        for (const page of prepared) {
          if (page.jpeg === null) continue;
          pages++;
          sentBytes += page.jpeg.length;
        }
        return fake.extract(doc, prepared, gate, signal);
      },
      plannedRequests: standard.plannedRequests,
      close: standard.close,
    };
    const provider = createSimulatedProvider({ latencyMs: () => 200 });
    const store = SqliteStore.open(join(dir, "state.sqlite"));
    const cpuBefore = process.cpuUsage();
    const started = Date.now();
    const summary = await runBatch(
      {
        inputs: [join(dir, "scans")],
        limits: { rps, rpm: null, rpd: null },
        workers: null,
        retry: DEFAULT_RETRY_POLICY,
        timeoutMs: 30_000,
        maxRequests: null,
        maxCostUsd: null,
        waitForQuota: false,
        progressIntervalMs: 5_000,
      },
      { store, pipeline, provider },
      new AbortController().signal,
      () => {},
    );
    const elapsedS = (Date.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    await pipeline.close();
    store.close();
    const cpuS = (cpu.user + cpu.system) / 1e6;
    const docsPerS = summary.counts.verified / elapsedS;
    const row = {
      scenario: `${count} PNG scans ${WIDTH}×${HEIGHT} (${(sourceBytes / 1e6).toFixed(1)} MB each), ${rps} req/s, 200 ms latency`,
      end: summary.end,
      elapsed_s: elapsedS.toFixed(1),
      verified: summary.counts.verified,
      "docs/s": docsPerS.toFixed(2),
      "docs/s / limit": (docsPerS / rps).toFixed(3),
      "client CPU s": cpuS.toFixed(1),
      "CPU ms per page": ((cpuS * 1000) / Math.max(1, pages)).toFixed(0),
      "KB per page": (sentBytes / Math.max(1, pages) / 1000).toFixed(0),
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    for (const [key, value] of Object.entries(row)) console.log(`${key.padEnd(18)} ${value}`);
    const out = join(fileURLToPath(new URL(".", import.meta.url)), "results");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "prepare-bench.json"), `${JSON.stringify({ at: new Date().toISOString(), row }, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
