/**
 * `npm run bench:scale`: the scale-out (BullMQ) engine against the project's fake provider.
 *
 * 1. Throughput against the provider's limit with 1, 2 and 4 worker processes on this machine
 *    (small images, provider latency 1 s): does throughput grow with workers until the limit, and
 *    is the limit ever exceeded (the provider's own sliding-window count)?
 * 2. A simulated national run: 101,331 stations × 2 documents (tiny images) at a high provider
 *    limit: documents/s, Redis peak memory (INFO memory), coordinator peak RSS. A time cap stops
 *    it; the report says how far it got.
 *
 * Options: --quick (smaller numbers), --national-cap-s N, --skip-national, --skip-scaling, --no-build.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constituencyTruth } from "../test/support/hand-made-forms.js";
import { startFakeProvider } from "../test/support/fake-provider.js";
import { modelReplyFromTruth } from "../test/support/model-reply-from-truth.js";
import { type CliProcess, runCli } from "../test/scale/support/cli-process.js";
import { startTestRedis } from "../test/scale/support/redis-server.js";
import { writeTinyDocuments } from "../test/scale/support/tiny-documents.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const flagValue = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};

const reply = modelReplyFromTruth(constituencyTruth());
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function rssKb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

interface ScalingRow {
  workers: number;
  documents: number;
  seconds: number;
  docsPerSecond: number;
  maxPerSecond: number;
  rateLimited: number;
  duplicates: number;
}

async function scalingRun(workerCount: number, documents: number, providerRps: number, concurrency: number): Promise<ScalingRow> {
  const dir = mkdtempSync(join(tmpdir(), "scale-bench-"));
  const redis = await startTestRedis({ private: true });
  const provider = await startFakeProvider({ answer: () => reply, latencyMs: 1_000, rateLimit: { perSecond: providerRps } });
  try {
    await writeTinyDocuments(join(dir, "scans"), documents);
    const queue = `${redis.url}?queue=bench-${workerCount}`;
    const env = { BALLOT_OCR_BASE_URL: provider.baseUrl, BALLOT_OCR_MODEL: "fake-vision-model" };
    const coordinator = runCli(
      ["process", join(dir, "scans"), "--out", join(dir, "out"), "--queue", queue, "--rps", String(providerRps), "--rpm", "0", "--rpd", "0", "--no-reask", "--progress", "none"],
      env,
    );
    const workers = Array.from({ length: workerCount }, () =>
      runCli(["worker", "--queue", queue, "--concurrency", String(concurrency), "--threads", "1"], env),
    );
    const code = await coordinator.exited;
    for (const w of workers) w.child.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
    if (code !== 0) throw new Error(`coordinator exited ${code}: ${coordinator.stderr().slice(-1500)}`);
    const stats = provider.stats();
    const ok = provider.requests.filter((r) => r.status === 200).map((r) => r.at).sort((a, b) => a - b);
    const seconds = ((ok.at(-1) ?? 0) - (ok[0] ?? 0)) / 1000 + 1; // + the last request's latency
    return {
      workers: workerCount,
      documents,
      seconds,
      docsPerSecond: documents / seconds,
      maxPerSecond: stats.maxPerSecond,
      rateLimited: stats.rateLimited429,
      duplicates: [...stats.byDocument.values()].filter((d) => d.requests > 1).length,
    };
  } finally {
    await provider.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface NationalReport {
  target: number;
  writeSeconds: number;
  discoverSeconds: number | null;
  done: number;
  processingSeconds: number;
  docsPerSecond: number;
  redisPeakMb: number;
  coordinatorPeakRssMb: number;
  workerPeakRssMb: number;
  finished: boolean;
  providerRequests: number;
  duplicates: number;
}

async function nationalRun(stations: number, capSeconds: number, workerCount: number, concurrency: number): Promise<NationalReport> {
  const target = stations * 2;
  const dir = mkdtempSync(join(tmpdir(), "scale-national-"));
  const redis = await startTestRedis({ private: true });
  const provider = await startFakeProvider({ answer: () => reply, latencyMs: 100 });
  try {
    let t = Date.now();
    await writeTinyDocuments(join(dir, "scans"), target, { perFolder: 2_000 });
    const writeSeconds = (Date.now() - t) / 1000;
    process.stderr.write(`national: wrote ${target} tiny documents in ${writeSeconds.toFixed(0)} s\n`);
    const queue = `${redis.url}?queue=national`;
    const env = { BALLOT_OCR_BASE_URL: provider.baseUrl, BALLOT_OCR_MODEL: "fake-vision-model", BALLOT_OCR_SCALE_SEND_OFFSET_MS: "50" };
    let started: number | null = null;
    let done = 0;
    t = Date.now();
    const coordinator = runCli(
      ["process", join(dir, "scans"), "--out", join(dir, "out"), "--queue", queue, "--rps", "2000", "--rpm", "0", "--rpd", "0", "--no-reask", "--progress", "json"],
      env,
      (line) => {
        if (started === null && line.includes('"run_started"')) started = Date.now();
        if (line.includes('"type":"progress"')) {
          const match = /"done":(\d+)/.exec(line);
          if (match) done = Number(match[1]);
        }
      },
    );
    const workers: CliProcess[] = Array.from({ length: workerCount }, () =>
      runCli(["worker", "--queue", queue, "--concurrency", String(concurrency), "--threads", "1"], env),
    );
    let redisPeak = 0;
    let coordinatorPeak = 0;
    let workerPeak = 0;
    let finished = false;
    const exit = coordinator.exited.then(() => {
      finished = true;
    });
    let lastLog = Date.now();
    for (;;) {
      await Promise.race([exit, delay(1_000)]);
      redisPeak = Math.max(redisPeak, await redis.sampleMemory().catch(() => 0));
      coordinatorPeak = Math.max(coordinatorPeak, rssKb(coordinator.child.pid));
      for (const w of workers) workerPeak = Math.max(workerPeak, rssKb(w.child.pid));
      if (finished) break;
      if (started !== null && Date.now() - started > capSeconds * 1000) break;
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        process.stderr.write(`national: ${started === null ? "discovering" : `${done} done after ${((Date.now() - started) / 1000).toFixed(0)} s`}; redis ${(redisPeak / 1048576).toFixed(1)} MB, coordinator ${(coordinatorPeak / 1024).toFixed(0)} MB\n`);
      }
    }
    const endedAt = Date.now();
    const completed = finished;
    if (!completed) {
      coordinator.child.kill("SIGINT");
      await coordinator.exited;
    }
    for (const w of workers) w.child.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
    const counted = Number(/(\d+) of \d+ documents (?:collected|finished)/.exec(coordinator.stdout())?.[1] ?? done);
    const finalDone = completed ? target : Math.max(done, counted);
    const stats = provider.stats();
    const processingSeconds = (endedAt - (started ?? endedAt)) / 1000;
    const report: NationalReport = {
      target,
      writeSeconds,
      discoverSeconds: started === null ? null : (started - t) / 1000,
      done: finalDone,
      processingSeconds,
      docsPerSecond: processingSeconds > 0 ? finalDone / processingSeconds : 0,
      redisPeakMb: redisPeak / 1_048_576,
      coordinatorPeakRssMb: coordinatorPeak / 1024,
      workerPeakRssMb: workerPeak / 1024,
      finished: completed,
      providerRequests: stats.totalRequests,
      duplicates: [...stats.byDocument.values()].filter((d) => d.requests > 1).length,
    };
    printNational(report, stations, capSeconds);
    return report;
  } finally {
    await provider.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function printNational(report: NationalReport, stations: number, cap: number): void {
  console.log(`\n### Simulated national run (${stations.toLocaleString("en")} stations × 2 documents, tiny images, provider latency 100 ms, --rps 2000, 4 workers × 16 jobs, window 1,000 jobs)\n`);
  console.log("| documents | written in | discovered+recorded in | processed | in | documents/s | Redis peak used_memory | coordinator peak RSS | worker peak RSS | sent twice |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  console.log(
    `| ${report.target.toLocaleString("en")} | ${report.writeSeconds.toFixed(0)} s | ${report.discoverSeconds === null ? "–" : `${report.discoverSeconds.toFixed(0)} s`} | ${report.done.toLocaleString("en")}${report.finished ? " (all)" : ` (time cap ${cap} s)`} | ${report.processingSeconds.toFixed(0)} s | ${report.docsPerSecond.toFixed(1)} | ${report.redisPeakMb.toFixed(1)} MB | ${report.coordinatorPeakRssMb.toFixed(0)} MB | ${report.workerPeakRssMb.toFixed(0)} MB | ${report.duplicates} |`,
  );
}

async function main() {
  if (!args.includes("--no-build")) {
    const build = spawnSync("npm", ["run", "build"], { stdio: "inherit" });
    if (build.status !== 0) throw new Error("npm run build failed");
  }
  if (!args.includes("--skip-scaling")) {
    const providerRps = 10;
    const concurrency = 4;
    const documents = quick ? 40 : 100;
    const rows: ScalingRow[] = [];
    for (const workers of [1, 2, 4]) {
      process.stderr.write(`scaling: ${workers} worker process(es)…\n`);
      rows.push(await scalingRun(workers, documents, providerRps, concurrency));
    }
    console.log(`\n### Throughput vs workers (fake provider: latency 1 s, limit ${providerRps} requests/s sliding; coordinator --rps ${providerRps}; ${concurrency} jobs per worker)\n`);
    console.log("| worker processes | documents | seconds | documents/s | ÷ provider limit | max requests in any 1 s | 429s | documents sent twice |");
    console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const r of rows) {
      console.log(`| ${r.workers} | ${r.documents} | ${r.seconds.toFixed(1)} | ${r.docsPerSecond.toFixed(2)} | ${((100 * r.docsPerSecond) / providerRps).toFixed(0)} % | ${r.maxPerSecond} | ${r.rateLimited} | ${r.duplicates} |`);
    }
  }
  if (!args.includes("--skip-national")) {
    const stations = quick ? 2_000 : 101_331;
    const cap = flagValue("--national-cap-s", quick ? 60 : 300);
    await nationalRun(stations, cap, 4, 16);
  }
}

await main();
