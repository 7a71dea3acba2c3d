/**
 * Batch engine benchmark (`npm run bench`). Runs the real engine, limiter, gate, retry policy and
 * SQLite store against an in-process simulated provider (latency and faults configurable) and a
 * fake pipeline without images (preparation is not what is measured here; see the ingest bench).
 *
 * Scenarios (each in its own child process, so peak RSS is per scenario):
 *   a  500 documents, client limit 5 req/s, median latency 2 s, 10% 5xx, 2% hangs, 3% bad JSON
 *   b  provider stricter than the client: the server allows half the client's rate (429 + Retry-After)
 *   c  memory: 1,000 vs 10,000 small documents (50 KB page each), no limits, peak RSS
 *   d  the original tool's design (5 fixed threads, 2 req/s min-interval, no timeout) vs ours, 4 s latency
 *   f  faults: 120 documents, 8 req/s, 0.8 s latency, 10% 5xx, 2% hangs, 3% bad JSON (the whole run's share of the limit)
 *   u  the upstream's faults scenario: 100 documents, 2 req/s, 3 s latency, the same faults
 *   m  memory of the real CLI: peak RSS of `ballot-ocr process` at 400, 2,000 and 20,000 small PNG
 *      scans against the fake HTTP provider (bench/memory-bench.ts; needs `npm run build` first)
 * Figures go to bench/results/batch-bench.json (git-ignored) and a table on stdout.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runBatch } from "../src/batch/engine.js";
import type { RateLimits } from "../src/batch/rate-limiter.js";
import { DEFAULT_RETRY_POLICY } from "../src/batch/retry-policy.js";
import type { ExtractionRequest } from "../src/providers/provider.js";
import { SqliteStore } from "../src/storage/sqlite-store.js";
import { createFakePipeline, fakeDocument } from "../test/e2e/support/fake-pipeline.js";
import { createSimulatedProvider, type SimulatedProvider } from "../test/e2e/support/simulated-provider.js";
import { z } from "zod";

type Row = Record<string, string | number>;

/** Deterministic PRNG (mulberry32) so runs are comparable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lognormal latency around a median. */
function lognormal(medianMs: number, sigma: number, random: () => number): () => number {
  return () => {
    const u = Math.max(1e-9, random());
    const v = random();
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return medianMs * Math.exp(sigma * normal);
  };
}

/** Accepted starts per second between the 50th and 95th percentile start times. */
function settled(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  const from = sorted[Math.floor(sorted.length * 0.5)];
  const to = sorted[Math.floor(sorted.length * 0.95)];
  if (from === undefined || to === undefined || to <= from) return 0;
  const inside = sorted.filter((t) => t >= from && t < to).length;
  return inside / ((to - from) / 1000);
}

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function engineRun(
  count: number,
  limits: RateLimits,
  provider: SimulatedProvider,
  options: { timeoutMs: number; pageBytes?: number; workers?: number | null },
) {
  const dir = mkdtempSync(join(tmpdir(), "batch-bench-"));
  const store = SqliteStore.open(join(dir, "state.sqlite"));
  const documents = Array.from({ length: count }, (_, i) => fakeDocument(i));
  const pipeline = createFakePipeline({ documents, ...(options.pageBytes ? { pageBytes: options.pageBytes } : {}) });
  const starts: number[] = [];
  const acceptedStarts: number[] = [];
  const seen = new Set<string>();
  let allStartedAt: number | null = null;
  let startsWhenAllStarted = 0;
  const original = provider.extract.bind(provider);
  provider.extract = <T>(request: ExtractionRequest<T>, o: { signal: AbortSignal }) => {
    const at = Date.now();
    starts.push(at);
    seen.add(request.documentId);
    if (allStartedAt === null && seen.size === count) {
      allStartedAt = Date.now();
      startsWhenAllStarted = starts.length;
    }
    return original(request, o).then((outcome) => {
      if (outcome.kind !== "rate_limited") acceptedStarts.push(at);
      return outcome;
    });
  };
  const started = Date.now();
  const summary = await runBatch(
    {
      inputs: ["/bench"],
      limits,
      workers: options.workers ?? null,
      retry: DEFAULT_RETRY_POLICY,
      timeoutMs: options.timeoutMs,
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
  const counts = store.countByStatus();
  store.close();
  rmSync(dir, { recursive: true, force: true });
  const first = starts[0] ?? started;
  const last = starts.at(-1) ?? started;
  const spanS = Math.max(0.001, (last - first) / 1000);
  const duplicatePaid = [...provider.paidCalls.values()].filter((n) => n > 1).length;
  const repeatedPaid = [...provider.paidCalls.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  return {
    summary,
    counts,
    elapsedS,
    requests: starts.length,
    /** Request starts per second between the first and the last start: what the limiter controls. */
    sendRate: (starts.length - 1) / spanS,
    /** Accepted requests per second in the second half of the run (after settling, before the tail). */
    settledRate: settled(acceptedStarts),
    /** While documents were still waiting for their first request (the tail of retries excluded). */
    steadyRate: allStartedAt === null ? 0 : (startsWhenAllStarted - 1) / Math.max(0.001, (allStartedAt - first) / 1000),
    lost: count - (counts.verified + counts.needs_review + counts.failed),
    duplicatePaid,
    repeatedPaid,
  };
}

async function scenarioA(): Promise<Row> {
  const R = 5;
  const random = rng(1);
  const provider = createSimulatedProvider({
    latencyMs: lognormal(2_000, 0.35, random),
    random,
    p5xx: 0.1,
    pHang: 0.02,
    pBadJson: 0.03,
  });
  const run = await engineRun(500, { rps: R, rpm: null, rpd: null }, provider, { timeoutMs: 10_000 });
  return {
    scenario: "a: 500 docs, 5 rps, 2 s, 10% 5xx, 2% hangs, 3% bad JSON",
    end: run.summary.end,
    elapsed_s: run.elapsedS.toFixed(1),
    requests: run.requests,
    "steady rate / limit": (run.steadyRate / R).toFixed(3),
    "send rate / limit": (run.sendRate / R).toFixed(3),
    "overall rate / limit": (run.requests / run.elapsedS / R).toFixed(3),
    verified: run.counts.verified,
    failed: run.counts.failed,
    lost: run.lost,
    "duplicate paid": run.duplicatePaid,
    "429s": provider.stats.status429,
    "5xx": provider.stats.status5xx,
    hangs: provider.stats.hangs,
    "bad JSON": provider.stats.badJson,
    peak_rss_mb: peakRssMb(),
  };
}

/** The tail under faults: the whole run's share of the limit counts every request, repeats included. */
async function faultsScenario(label: string, count: number, R: number, latencyMs: number, seed: number): Promise<Row> {
  const random = rng(seed);
  const provider = createSimulatedProvider({
    latencyMs: lognormal(latencyMs, 0.25, random),
    random,
    p5xx: 0.1,
    pHang: 0.02,
    pBadJson: 0.03,
  });
  // As scenario a, a 10 s per-request timeout; BENCH_TIMEOUT_S=120 measures the CLI's default.
  const timeoutS = Number(process.env["BENCH_TIMEOUT_S"] ?? 10);
  const run = await engineRun(count, { rps: R, rpm: null, rpd: null }, provider, { timeoutMs: timeoutS * 1000 });
  return {
    scenario: `${label}: ${count} docs, ${R} rps, ${latencyMs / 1000} s, 10% 5xx, 2% hangs, 3% bad JSON, timeout ${timeoutS} s`,
    end: run.summary.end,
    elapsed_s: run.elapsedS.toFixed(1),
    requests: run.requests,
    "whole run rate / limit": (run.requests / run.elapsedS / R).toFixed(3),
    "steady rate / limit": (run.steadyRate / R).toFixed(3),
    "send rate / limit": (run.sendRate / R).toFixed(3),
    "docs/s / limit": (count / run.elapsedS / R).toFixed(3),
    verified: run.counts.verified,
    failed: run.counts.failed,
    lost: run.lost,
    "duplicate paid": run.duplicatePaid,
    "repeated paid calls": run.repeatedPaid,
    hedges: run.summary.progress.hedges ?? 0,
    "5xx": provider.stats.status5xx,
    hangs: provider.stats.hangs,
    "bad JSON": provider.stats.badJson,
  };
}

async function scenarioB(): Promise<Row> {
  const R = 5;
  const serverRate = R / 2;
  const random = rng(2);
  const provider = createSimulatedProvider({
    latencyMs: lognormal(2_000, 0.25, random),
    random,
    serverLimit: { max: 5, windowMs: 2_000, retryAfterMs: 1_000 },
  });
  const run = await engineRun(300, { rps: R, rpm: null, rpd: null }, provider, { timeoutMs: 30_000 });
  const accepted = run.requests - provider.stats.status429;
  return {
    scenario: "b: 300 docs, client 5 rps, server 2.5 rps (429 + Retry-After 1 s)",
    end: run.summary.end,
    elapsed_s: run.elapsedS.toFixed(1),
    requests: run.requests,
    "429s": provider.stats.status429,
    "429 share": `${((provider.stats.status429 / run.requests) * 100).toFixed(1)}%`,
    "accepted rate / server limit": (accepted / run.elapsedS / serverRate).toFixed(3),
    "settled rate / server limit": (run.settledRate / serverRate).toFixed(3),
    verified: run.counts.verified,
    lost: run.lost,
    "duplicate paid": run.duplicatePaid,
    peak_rss_mb: peakRssMb(),
  };
}

async function scenarioC(count: number): Promise<Row> {
  const provider = createSimulatedProvider({ latencyMs: () => 5 });
  const run = await engineRun(count, { rps: null, rpm: null, rpd: null }, provider, {
    timeoutMs: 10_000,
    pageBytes: Number(process.env["BENCH_PAGE_BYTES"] ?? 50_000),
  });
  return {
    scenario: `c: ${count} docs, 50 KB page each, no limits`,
    end: run.summary.end,
    elapsed_s: run.elapsedS.toFixed(1),
    requests: run.requests,
    verified: run.counts.verified,
    lost: run.lost,
    peak_rss_mb: peakRssMb(),
  };
}

/** The original tool: 5 threads, each waits for a shared 500 ms min-interval slot, no timeout, retries only connection errors. */
async function originalDesign(count: number, provider: SimulatedProvider): Promise<{ elapsedS: number; rate: number }> {
  let next = 0;
  let lastStart = 0;
  let slotChain = Promise.resolve();
  const minInterval = 500;
  const takeSlot = () => {
    const slot = slotChain.then(async () => {
      const wait = lastStart + minInterval - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      lastStart = Date.now();
    });
    slotChain = slot;
    return slot;
  };
  const schema = z.object({ documentId: z.string(), votes: z.array(z.int()) });
  const started = Date.now();
  const thread = async () => {
    for (;;) {
      const index = next++;
      if (index >= count) return;
      await takeSlot();
      await provider.extract(
        {
          documentId: `orig-${index}`,
          purpose: "read",
          promptVersion: "x",
          system: "",
          user: "",
          images: [],
          replySchema: schema,
          schemaName: "x",
        },
        { signal: new AbortController().signal },
      );
    }
  };
  await Promise.all(Array.from({ length: 5 }, thread));
  const elapsedS = (Date.now() - started) / 1000;
  return { elapsedS, rate: count / elapsedS };
}

async function scenarioD(): Promise<Row[]> {
  const count = 60;
  const limit = 2;
  const original = await originalDesign(count, createSimulatedProvider({ latencyMs: () => 4_000 }));
  const ours = await engineRun(count, { rps: limit, rpm: null, rpd: null }, createSimulatedProvider({ latencyMs: () => 4_000 }), {
    timeoutMs: 30_000,
  });
  return [
    {
      scenario: "d: original design, 60 docs, 4 s latency, 2 req/s",
      elapsed_s: original.elapsedS.toFixed(1),
      "req/s": original.rate.toFixed(2),
      "rate / limit": (original.rate / limit).toFixed(3),
    },
    {
      scenario: "d: this engine, same load and limit",
      elapsed_s: ours.elapsedS.toFixed(1),
      "req/s": (ours.requests / ours.elapsedS).toFixed(2),
      "steady rate / limit": (ours.steadyRate / limit).toFixed(3),
      "send rate / limit": (ours.sendRate / limit).toFixed(3),
      "rate / limit": (ours.requests / ours.elapsedS / limit).toFixed(3),
    },
  ];
}

async function child(name: string): Promise<Row[]> {
  switch (name) {
    case "a":
      return [await scenarioA()];
    case "b":
      return [await scenarioB()];
    case "c1000":
      return [await scenarioC(1_000)];
    case "c10000":
      return [await scenarioC(10_000)];
    case "d":
      return scenarioD();
    case "f":
      return [await faultsScenario("f", 120, 8, 800, 6)];
    case "u":
      return [await faultsScenario("u", 100, 2, 3_000, 7)];
    default:
      throw new Error(`unknown scenario ${name}`);
  }
}

function spawnScenario(name: string): Promise<Row[]> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...process.execArgv, self, "--scenario", name], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    proc.on("close", (code) => {
      if (code !== 0) return reject(new Error(`scenario ${name} exited with ${code}`));
      const line = out.trim().split("\n").at(-1) ?? "[]";
      resolve(JSON.parse(line) as Row[]);
    });
  });
}

/** Scenario m: the built CLI's peak RSS by batch size, in a process of its own (bench/memory-bench.ts). */
function memoryOfTheCli(): Promise<Row[]> {
  const script = fileURLToPath(new URL("./memory-bench.ts", import.meta.url));
  const counts = process.env["BENCH_MEMORY_COUNTS"] ?? "400,2000,20000";
  if (!existsSync(fileURLToPath(new URL("../dist/cli/main.js", import.meta.url)))) {
    return Promise.resolve([{ scenario: "m: process memory", skipped: "run `npm run build` first (the scenario runs the built CLI)" }]);
  }
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...process.execArgv, script, counts], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    proc.on("close", (code) => {
      if (code !== 0) return reject(new Error(`memory bench exited with ${code}`));
      const rows = out
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Row)
        .map((row) => ({ scenario: `m: process, ${row["documents"]} small PNG documents`, ...row }));
      resolve(rows);
    });
  });
}

function printTable(rows: Row[]): void {
  console.log("steady rate: request starts per second until every document had its first request (the tail of last retries excluded);");
  console.log("settled rate: accepted requests per second between the 50th and 95th percentile start times (after settling);");
  console.log("send rate: from the first to the last request start; overall: requests ÷ wall time including the last answers.");
  for (const row of rows) {
    console.log(`\n${row["scenario"]}`);
    for (const [key, value] of Object.entries(row)) if (key !== "scenario") console.log(`  ${key.padEnd(30)} ${value}`);
  }
}

async function parent(): Promise<void> {
  const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1]?.split(",") : null;
  const wanted = (name: string) => only === null || only === undefined || only.includes(name[0] ?? "");
  console.log("batch-bench: real engine + limiter + gate + SQLite store, in-process simulated provider, fake pipeline (no images)");
  const timed = ["a", "b", "d", "f", "u"].filter(wanted);
  const parallel = await Promise.all(timed.map(spawnScenario));
  const memory: Row[][] = [];
  if (wanted("c")) for (const name of ["c1000", "c10000"]) memory.push(await spawnScenario(name));
  if (wanted("m")) memory.push(await memoryOfTheCli());
  const rows = [...parallel, ...memory].flat();
  printTable(rows);
  const dir = join(fileURLToPath(new URL(".", import.meta.url)), "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "batch-bench.json"), `${JSON.stringify({ at: new Date().toISOString(), rows }, null, 2)}\n`);
  console.log(`\nwrote ${join(dir, "batch-bench.json")}`);
}

const scenarioIndex = process.argv.indexOf("--scenario");
if (scenarioIndex >= 0) {
  const rows = await child(process.argv[scenarioIndex + 1] ?? "");
  process.stdout.write(`${JSON.stringify(rows)}\n`);
} else {
  await parent();
}
