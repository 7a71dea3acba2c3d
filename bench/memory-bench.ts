/**
 * Peak RSS of `ballot-ocr process` by batch size (`npm run bench:memory`): small PNG scans in
 * folders of 100, the built CLI (dist/, run `npm run build` first) against the fake
 * OpenAI-compatible server on 127.0.0.1, no client limits. Peak RSS is the child's maximum
 * resident set (every thread: preparation workers included), read by /usr/bin/time.
 *
 *   npx tsx bench/memory-bench.ts [counts=400,2000,20000]
 *
 * The offline reader's witness is on, as it is by default with a remote model; BENCH_WITNESS=0
 * adds `--no-witness`, for the engine's own memory, comparable with runs from before the witness
 * existed. The CLI is started as the README starts it (BENCH_LAUNCH=node: `node bin/…`, which
 * skips the launcher's runtime settings; see bench/support/peak-rss.ts).
 * BENCH_MEMORY_ARGS adds flags to every run (e.g. "--no-pdf", to see what the PDF reports cost).
 * Figures go to bench/results/memory-bench.json (git-ignored).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { fakeProcessArgs } from "../test/e2e/support/cli-run.js";
import { startFakeProvider } from "../test/support/fake-provider.js";
import { benchLaunch, type CliRun, runCliForPeakRss } from "./support/peak-rss.js";
import { pngWithComment } from "./support/png-copies.js";

const REPO = fileURLToPath(new URL("..", import.meta.url));

/** A small grey page with some structure (not a flat colour, so decoding does real work). */
async function basePng(): Promise<Buffer> {
  const width = 600;
  const height = 850;
  const pixels = Buffer.alloc(width * height, 245);
  for (let y = 40; y < height; y += 40) pixels.fill(40, y * width + 30, y * width + width - 30);
  for (let i = 0; i < pixels.length; i += 97) pixels[i] = (i * 13) % 256;
  return sharp(pixels, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
}

function makeBatch(dir: string, count: number, png: Buffer): void {
  for (let i = 0; i < count; i++) {
    const folder = join(dir, `หน่วย-${String(Math.floor(i / 100)).padStart(3, "0")}`);
    if (i % 100 === 0) mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `unit-${String(i).padStart(6, "0")}.png`), pngWithComment(png, `copy ${i}`));
  }
}

function run(args: readonly string[]): Promise<CliRun> {
  return runCliForPeakRss(args, { ...process.env, BALLOT_OCR_API_KEY: "bench-key" });
}

async function main(): Promise<void> {
  if (!existsSync(join(REPO, "dist/cli/main.js"))) throw new Error("run `npm run build` first (the bench runs the built CLI)");
  const counts = (process.argv[2] ?? "400,2000,20000").split(",").map(Number);
  const witness = process.env["BENCH_WITNESS"] !== "0";
  const png = await basePng();
  const server = await startFakeProvider({ latencyMs: 5 });
  const rows: Record<string, string | number>[] = [];
  try {
    for (const count of counts) {
      const dir = mkdtempSync(join(tmpdir(), "memory-bench-"));
      try {
        makeBatch(join(dir, "scans"), count, png);
        const started = Date.now();
        const out = join(dir, "out");
        const result = await run(
          fakeProcessArgs(
            join(dir, "scans"),
            out,
            server.baseUrl,
            "--rps",
            "0",
            "--rpm",
            "0",
            "--rpd",
            "0",
            "--progress",
            "none",
            ...(witness ? [] : ["--no-witness"]),
            ...(process.env["BENCH_MEMORY_ARGS"]?.split(" ").filter(Boolean) ?? []),
          ),
        );
        const elapsedS = (Date.now() - started) / 1000;
        const lines = existsSync(join(out, "results.jsonl"))
          ? readFileSync(join(out, "results.jsonl"), "utf8").split("\n").filter(Boolean).length
          : 0;
        const row = {
          documents: count,
          witness: witness ? "local" : "none",
          launch: benchLaunch(),
          exit: result.code ?? "signal",
          results: lines,
          elapsed_s: elapsedS.toFixed(1),
          cpu_s: result.cpuSeconds.toFixed(1),
          peak_rss_mb: Math.round(result.peakKb / 1024),
        };
        if (result.code !== 0 && result.code !== 1) console.error(result.stderr);
        console.log(JSON.stringify(row));
        rows.push(row);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await server.close();
  }
  const out = join(REPO, "bench/results");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "memory-bench.json"), `${JSON.stringify({ at: new Date().toISOString(), rows }, null, 2)}\n`);
}

await main();
