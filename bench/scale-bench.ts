/**
 * `npm run bench:scale`: the scale-out (BullMQ) engine against the project's fake provider.
 *
 * 1. Throughput against the provider's limit with 1, 2, 4 and 8 worker processes on this machine
 *    (600 small documents, provider latency 1 s, limit 10 req/s): documents/s ÷ limit over the whole
 *    run and accepted requests/s ÷ limit over its middle half, the most requests the provider saw in
 *    any sliding 1 s window and the shortest span of any 11 consecutive requests. Exits 1 if the
 *    provider ever saw more than its limit (or answered 429).
 *    Then a provider stricter than configured (coordinator --rps 10, provider enforces 6/s with
 *    429 + Retry-After): where the fleet settles, the share of 429s, documents lost.
 * 2. A simulated national run: 101,331 stations × 2 documents (tiny images, each answered as a
 *    station of its own in one of 400 constituencies) at a high provider limit: documents/s, Redis
 *    peak memory (INFO memory), coordinator and worker peak RSS, the CLI started as the README does
 *    (BENCH_LAUNCH=node: `node bin/…`). A time cap stops it; the report says how far it got.
 *
 * Options: --quick (smaller numbers), --documents N (scaling rows), --national-cap-s N, --skip-national, --skip-scaling,
 * --skip-strict, --skip-faults, --workers 1,2,4,8, --no-build.
 *
 * 3. Faults mid-run: Redis killed and restarted (AOF on, AOF off), and a worker killed, each at 30 %:
 *    documents collected and lost, and documents requested twice.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constituencyTruth } from "../test/support/hand-made-forms.js";
import { type FakeAnswer, type FakeAnswerRequest, startFakeProvider } from "../test/support/fake-provider.js";
import { modelReplyFromTruth } from "../test/support/model-reply-from-truth.js";
import { type CliProcess, coordinatorArgs, fakeProviderEnv, runCli, workerArgs } from "../test/scale/support/cli-process.js";
import Database from "better-sqlite3";
import { raiseProviderPriority } from "../test/scale/support/provider-priority.js";
import { freePort, spawnRedisServer, startTestRedis } from "../test/scale/support/redis-server.js";
import { writeTinyDocuments } from "../test/scale/support/tiny-documents.js";
import { benchLaunch } from "./support/peak-rss.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const flagValue = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};

const reply = modelReplyFromTruth(constituencyTruth());
const launch = benchLaunch();

/**
 * The national run's replies: document i (in the order the provider first sees it) is its own
 * polling station, in one of 400 constituencies (8 provinces × 50), as a national batch is; the
 * same reply for every document would make them all one station, 202,661 duplicates of it.
 */
function nationalReplies(): (request: FakeAnswerRequest) => FakeAnswer {
  const provinces = ["แพร่", "น่าน", "เชียงใหม่", "ลำปาง", "ขอนแก่น", "สงขลา", "ภูเก็ต", "ชลบุรี"];
  const indexOf = new Map<string, number>();
  return ({ documentId }) => {
    if (documentId === null) return reply;
    let index = indexOf.get(documentId);
    if (index === undefined) {
      index = indexOf.size;
      indexOf.set(documentId, index);
    }
    const constituency = index % 400;
    const header = {
      ...reply.header,
      province: provinces[constituency % 8]!,
      constituency: String(Math.floor(constituency / 8) + 1),
      unit: String(Math.floor(index / 400) + 1),
    };
    return { ...reply, header };
  };
}
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
  /** Accepted requests/s over the second half of the run (after the fleet has settled). */
  settledRps: number;
  /** Accepted requests/s over the middle half of the run (25 % to 75 % of first to last request). */
  middleRps: number;
  maxPerSecond: number;
  /** The shortest time spanned by any 11 consecutive requests the provider saw (ms; 1,000 or more: never 11 within 1 s). */
  tightest11Ms: number;
  requests: number;
  rateLimited: number;
  duplicates: number;
  lost: number;
  exitCode: number | string;
}

async function scalingRun(
  workerCount: number,
  documents: number,
  clientRps: number,
  providerRps: number,
  concurrency: number,
): Promise<ScalingRow> {
  const dir = mkdtempSync(join(tmpdir(), "scale-bench-"));
  const redis = await startTestRedis({ private: true });
  const provider = await startFakeProvider({ answer: () => reply, latencyMs: 1_000, rateLimit: { perSecond: providerRps } });
  try {
    await writeTinyDocuments(join(dir, "scans"), documents);
    const queue = `${redis.url}?queue=bench-${workerCount}`;
    const env = fakeProviderEnv(provider.baseUrl);
    // A standing fleet: the workers are started and idle (waiting for a coordinator) before the run
    // starts, so the figures measure the fleet, not node's start-up on a busy machine.
    let ready = 0;
    const workers = Array.from({ length: workerCount }, () =>
      runCli(workerArgs(queue, concurrency), env, (line) => {
        if (line.includes("waiting for a coordinator")) ready++;
      }),
    );
    for (let waited = 0; ready < workerCount && waited < 60_000; waited += 50) await delay(50);
    const coordinator = runCli(
      coordinatorArgs(join(dir, "scans"), join(dir, "out"), queue, { rps: clientRps }, "--no-reask", "--progress", "none"),
      env,
    );
    const code = await coordinator.exited;
    for (const w of workers) w.child.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
    if (code !== 0) process.stderr.write(`coordinator exited ${code}: ${coordinator.stderr().slice(-1500)}\n`);
    const stats = provider.stats();
    if (process.env["BENCH_DUMP"]) {
      const times = provider.requests.map((r) => Math.round(r.at)).sort((a, b) => a - b);
      process.stderr.write(`${times.join(" ")}\n`);
    }
    const ok = provider.requests
      .filter((r) => r.status === 200)
      .map((r) => r.at)
      .sort((a, b) => a - b);
    const first = ok[0] ?? 0;
    const last = ok.at(-1) ?? 0;
    const seconds = (last - first) / 1000 + 1; // + the last request's latency
    const half = first + (last - first) / 2;
    const settled = ok.filter((t) => t >= half).length;
    const q1 = first + (last - first) / 4;
    const q3 = first + ((last - first) * 3) / 4;
    const middle = ok.filter((t) => t >= q1 && t < q3).length;
    const all = provider.requests.map((r) => r.at).sort((a, b) => a - b);
    let tightest11Ms = Number.POSITIVE_INFINITY;
    for (let i = 0; i + 10 < all.length; i++) tightest11Ms = Math.min(tightest11Ms, (all[i + 10] ?? 0) - (all[i] ?? 0));
    const answered = new Set(provider.requests.filter((r) => r.status === 200 && r.documentId !== null).map((r) => r.documentId));
    return {
      workers: workerCount,
      documents,
      seconds,
      docsPerSecond: documents / seconds,
      settledRps: last > half ? settled / ((last - half) / 1000) : 0,
      middleRps: q3 > q1 ? middle / ((q3 - q1) / 1000) : 0,
      maxPerSecond: stats.maxPerSecond,
      tightest11Ms,
      requests: stats.totalRequests,
      rateLimited: stats.rateLimited429,
      duplicates: [...stats.byDocument.values()].filter((d) => d.requests - (d.purposes.length - d.requests) > 1).length,
      lost: documents - answered.size,
      exitCode: code,
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
  /** From the coordinator's start to its first job (run_started). */
  firstJobSeconds: number | null;
  /** From the coordinator's start to the end of discovery (it overlaps the processing). */
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
  const provider = await startFakeProvider({ answer: nationalReplies(), latencyMs: 100 });
  try {
    let t = Date.now();
    await writeTinyDocuments(join(dir, "scans"), target, { perFolder: 2_000 });
    const writeSeconds = (Date.now() - t) / 1000;
    process.stderr.write(`national: wrote ${target} tiny documents in ${writeSeconds.toFixed(0)} s\n`);
    const queue = `${redis.url}?queue=national`;
    const env = fakeProviderEnv(provider.baseUrl);
    let started: number | null = null;
    let discovered: number | null = null;
    let done = 0;
    t = Date.now();
    const coordinator = runCli(
      coordinatorArgs(join(dir, "scans"), join(dir, "out"), queue, { rps: 2000 }, "--no-reask", "--progress", "json"),
      env,
      (line) => {
        if (started === null && line.includes('"run_started"')) started = Date.now();
        if (
          discovered === null &&
          (line.includes('"discovery_finished"') || (line.includes('"run_started"') && !line.includes('"discovering"')))
        )
          discovered = Date.now();
        if (line.includes('"type":"progress"')) {
          const match = /"done":(\d+)/.exec(line);
          if (match) done = Number(match[1]);
        }
      },
      launch,
    );
    const workers: CliProcess[] = Array.from({ length: workerCount }, () => runCli(workerArgs(queue, concurrency), env, undefined, launch));
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
        process.stderr.write(
          `national: ${started === null ? "discovering" : `${done} done after ${((Date.now() - started) / 1000).toFixed(0)} s`}; redis ${(redisPeak / 1048576).toFixed(1)} MB, coordinator ${(coordinatorPeak / 1024).toFixed(0)} MB\n`,
        );
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
      firstJobSeconds: started === null ? null : (started - t) / 1000,
      discoverSeconds: discovered === null ? null : (discovered - t) / 1000,
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
  console.log(
    `\n### Simulated national run (${stations.toLocaleString("en")} stations × 2 documents, tiny images, provider latency 100 ms, --rps 2000, 4 workers × 16 jobs, window 1,000 jobs)\n`,
  );
  console.log(
    "| documents | written in | first job after | discovery ended after | processed | in (from the first job) | documents/s | Redis peak used_memory | coordinator peak RSS | worker peak RSS | sent twice |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  const seconds = (value: number | null) => (value === null ? "–" : `${value.toFixed(0)} s`);
  console.log(
    `| ${report.target.toLocaleString("en")} | ${report.writeSeconds.toFixed(0)} s | ${seconds(report.firstJobSeconds)} | ${seconds(report.discoverSeconds)} | ${report.done.toLocaleString("en")}${report.finished ? " (all)" : ` (time cap ${cap} s)`} | ${report.processingSeconds.toFixed(0)} s | ${report.docsPerSecond.toFixed(1)} | ${report.redisPeakMb.toFixed(1)} MB | ${report.coordinatorPeakRssMb.toFixed(0)} MB | ${report.workerPeakRssMb.toFixed(0)} MB | ${report.duplicates} |`,
  );
}

interface FaultRow {
  fault: string;
  documents: number;
  collected: number;
  lost: number;
  exitCode: number | string;
  requests: number;
  twice: number;
  seconds: number;
}

async function waitForRedis(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ping = spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" });
    if (ping.stdout.trim() === "PONG") return;
    await delay(100);
  }
  throw new Error(`redis on ${port} did not start`);
}

/**
 * Faults mid-run, 200 documents, 3 workers: Redis killed (SIGKILL) and restarted with AOF on or
 * off, or one worker killed with SIGKILL. Counts what was collected, lost and requested twice.
 */
async function faultRun(fault: "redis-aof" | "redis-no-aof" | "worker-kill", documents: number): Promise<FaultRow> {
  const dir = mkdtempSync(join(tmpdir(), "scale-fault-"));
  const port = await freePort();
  const dataDir = join(dir, "redis");
  mkdirSync(dataDir);
  let redis = spawnRedisServer(port, dataDir, { aof: fault === "redis-aof" });
  await waitForRedis(port);
  const provider = await startFakeProvider({ answer: () => reply, latencyMs: 200 });
  try {
    await writeTinyDocuments(join(dir, "scans"), documents, { perFolder: 100 });
    const queue = `redis://127.0.0.1:${port}?queue=fault`;
    const env = fakeProviderEnv(provider.baseUrl);
    let finished = 0;
    const started = Date.now();
    const coordinator = runCli(
      coordinatorArgs(join(dir, "scans"), join(dir, "out"), queue, { rps: 20 }, "--no-reask", "--progress", "json", "--queue-window", "50"),
      env,
      (line) => {
        if (line.includes('"document_finished"') || line.includes('"document_failed"')) finished++;
      },
    );
    const workers = [0, 1, 2].map(() => runCli(workerArgs(queue, 4, "--stall-timeout", "2"), env));
    while (finished < documents * 0.3) await delay(50);
    if (fault === "worker-kill") {
      workers[0]?.child.kill("SIGKILL");
    } else {
      const exited = new Promise((resolve) => redis.once("exit", resolve));
      redis.kill("SIGKILL");
      await exited;
      await delay(1_000);
      redis = spawnRedisServer(port, dataDir, { aof: fault === "redis-aof" });
      await waitForRedis(port);
    }
    const code = await Promise.race([coordinator.exited, delay(180_000).then(() => "timeout")]);
    if (code === "timeout") coordinator.child.kill("SIGKILL");
    for (const w of workers) w.child.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
    const db = new Database(join(dir, "out", "state.sqlite"), { readonly: true });
    const collected = Number(db.prepare("SELECT COUNT(*) FROM results").pluck().get());
    db.close();
    const stats = provider.stats();
    return {
      fault,
      documents,
      collected,
      lost: documents - collected,
      exitCode: code,
      requests: stats.totalRequests,
      twice: [...stats.byDocument.values()].filter((d) => d.requests > 1).length,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await provider.close();
    redis.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  if (!args.includes("--no-build")) {
    const build = spawnSync("npm", ["run", "build"], { stdio: "inherit" });
    if (build.status !== 0) throw new Error("npm run build failed");
  }
  const concurrency = 8;
  // The fake provider's requests per sliding second are the measurement (see raiseProviderPriority).
  const restorePriority = raiseProviderPriority();
  let overLimit = false;
  if (!args.includes("--skip-scaling")) {
    const providerRps = 10;
    const documents = flagValue("--documents", quick ? 60 : 600);
    const counts = (args.includes("--workers") ? String(args[args.indexOf("--workers") + 1]) : "1,2,4,8").split(",").map(Number);
    const rows: ScalingRow[] = [];
    for (const workers of counts) {
      process.stderr.write(`scaling: ${workers} worker process(es)…\n`);
      rows.push(await scalingRun(workers, documents, providerRps, providerRps, concurrency));
    }
    console.log(
      `\n### Throughput vs workers (fake provider: latency 1 s, limit ${providerRps} requests/s in any sliding 1 s; coordinator --rps ${providerRps}; ${concurrency} jobs per worker)\n`,
    );
    console.log(
      "Whole run: documents ÷ (first request to last request + 1 s latency). Middle half: accepted requests/s from 25 % to 75 % of the time between the first and the last request.\n",
    );
    console.log(
      "| worker processes | documents | seconds | documents/s (whole run) | ÷ limit (whole run) | requests/s (middle half) | ÷ limit (middle half) | most requests in any sliding 1 s | tightest 11 requests span | 429s | documents sent twice |",
    );
    console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const r of rows) {
      console.log(
        `| ${r.workers} | ${r.documents} | ${r.seconds.toFixed(1)} | ${r.docsPerSecond.toFixed(2)} | ${(r.docsPerSecond / providerRps).toFixed(3)} | ${r.middleRps.toFixed(2)} | ${(r.middleRps / providerRps).toFixed(3)} | ${r.maxPerSecond} | ${Number.isFinite(r.tightest11Ms) ? `${r.tightest11Ms} ms` : "–"} | ${r.rateLimited} | ${r.duplicates} |`,
      );
      if (r.maxPerSecond > providerRps || r.tightest11Ms < 1_000 || r.rateLimited > 0) overLimit = true;
    }
    if (overLimit) process.stderr.write(`FAIL: the provider saw more than ${providerRps} requests in some sliding 1 s window\n`);
  }
  if (!args.includes("--skip-strict")) {
    const documents = quick ? 80 : 240;
    process.stderr.write("strict provider: 4 worker processes, configured 10/s, provider 6/s…\n");
    const r = await scalingRun(4, documents, 10, 6, concurrency);
    console.log(
      `\n### A provider stricter than configured (coordinator --rps 10; the provider enforces 6 requests/s with 429 + Retry-After; latency 1 s; 4 workers × ${concurrency} jobs)\n`,
    );
    console.log(
      "| documents | seconds | documents/s | ÷ 6/s (whole run) | accepted/s after settling (second half) | ÷ 6/s settled | requests | 429s | share 429 | lost | exit |",
    );
    console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    console.log(
      `| ${r.documents} | ${r.seconds.toFixed(1)} | ${r.docsPerSecond.toFixed(2)} | ${(r.docsPerSecond / 6).toFixed(3)} | ${r.settledRps.toFixed(2)} | ${(r.settledRps / 6).toFixed(3)} | ${r.requests} | ${r.rateLimited} | ${((100 * r.rateLimited) / Math.max(1, r.requests)).toFixed(1)} % | ${r.lost} | ${r.exitCode} |`,
    );
  }
  restorePriority();
  if (!args.includes("--skip-faults")) {
    const documents = quick ? 100 : 200;
    const rows: FaultRow[] = [];
    for (const fault of ["redis-aof", "redis-no-aof", "worker-kill"] as const) {
      process.stderr.write(`faults: ${fault}…\n`);
      rows.push(await faultRun(fault, documents));
    }
    console.log("\n### Faults mid-run (at 30 % done; 3 workers × 4 jobs, --rps 20, provider latency 200 ms, --queue-window 50)\n");
    console.log("| fault | documents | collected | lost | exit | provider requests | documents requested twice | seconds |");
    console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
    const names = {
      "redis-aof": "Redis SIGKILL + restart, AOF on",
      "redis-no-aof": "Redis SIGKILL + restart, AOF off",
      "worker-kill": "one worker SIGKILL",
    };
    for (const r of rows)
      console.log(
        `| ${names[r.fault as keyof typeof names]} | ${r.documents} | ${r.collected} | ${r.lost} | ${r.exitCode} | ${r.requests} | ${r.twice} | ${r.seconds.toFixed(0)} |`,
      );
  }
  if (!args.includes("--skip-national")) {
    const stations = quick ? 2_000 : 101_331;
    const cap = flagValue("--national-cap-s", quick ? 60 : 300);
    await nationalRun(stations, cap, 4, 16);
  }
  if (overLimit) process.exitCode = 1;
}

await main();
