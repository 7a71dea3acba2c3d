/**
 * Memory of the exports at national size: a state store of N stored results shaped like a national
 * batch (400 constituencies; each station a constituency form with 8 candidates and a party-list
 * form with 57 parties, Thai place names and paths), then `ballot-ocr report --out DIR --no-pdf`
 * (the built CLI: run `npm run build` first) under /usr/bin/time for its peak RSS. This is the step
 * that writes results.jsonl, votes.csv, stations.csv, constituencies.csv and summary.md at the end
 * of `process` and `process --queue`.
 *
 *   npx tsx bench/export-memory.ts [documents=202662] [runs=1]
 *
 * BENCH_EXPORT_STATE=FILE keeps the filled store there and reuses it on the next run.
 * BENCH_EXPORT_PDF=1 writes the PDF reports too (one per constituency and the batch's), as
 * `process` does by default.
 * Figures go to bench/results/export-memory.json (git-ignored).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EMPTY_PROVENANCE, FORM_RESULT_SCHEMA_VERSION, type FormResult, type NumberCell } from "../src/forms/form-result.js";
import { SqliteStore } from "../src/storage/sqlite-store.js";
import { checkForm } from "../src/verify/check-form.js";
import { runCliForPeakRss } from "./support/peak-rss.js";
import { statePath } from "../src/workspace/state-path.js";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const COUNT = Number(process.argv[2] ?? 202_662);
const RUNS = Number(process.argv[3] ?? 1);
const PROVINCES = ["แพร่", "น่าน", "เชียงใหม่", "ลำปาง", "ขอนแก่น", "สงขลา", "ภูเก็ต", "ชลบุรี"];
const CONSTITUENCIES_PER_PROVINCE = 50;

function cell(value: number): NumberCell {
  return { digits: String(value), words: null, value, mark: "digits" };
}

/** Document i: station floor(i / 2), its constituency form (even i) or its party-list form (odd i). */
function form(i: number): FormResult {
  const station = Math.floor(i / 2);
  const kind = i % 2 === 0 ? "constituency" : "party_list";
  const rows = kind === "constituency" ? 8 : 57;
  const votes = Array.from({ length: rows }, (_, k) => ({ ...cell(((station * 7 + k * 13) % 90) + (k < 3 ? 60 : 0)), number: k + 1 }));
  const good = votes.reduce((sum, v) => sum + (v.value ?? 0), 0);
  const province = PROVINCES[station % PROVINCES.length]!;
  const constituency = 1 + (Math.floor(station / PROVINCES.length) % CONSTITUENCIES_PER_PROVINCE);
  const unit = 1 + Math.floor(station / (PROVINCES.length * CONSTITUENCIES_PER_PROVINCE));
  const id = i.toString(16).padStart(64, "0");
  const path = `เขตเลือกตั้งที่ ${constituency} จังหวัด${province}/อำเภอเมือง${province}/ตำบลในเวียง/หน่วยเลือกตั้งที่ ${unit}/สส.5ทับ18${kind === "party_list" ? "(บช)" : ""}.pdf`;
  const base: FormResult = {
    schemaVersion: FORM_RESULT_SCHEMA_VERSION,
    document: { id, sources: [{ path, sha256: id, bytes: 250_000 }], pages: [{ index: 1, role: "counts", sent: true }] },
    formCode: "5/18",
    formKind: kind,
    location: {
      province,
      provinceId: null,
      constituency,
      district: `อำเภอเมือง${province}`,
      subdistrict: "ตำบลในเวียง",
      unit,
      setNumber: null,
      countingPlace: null,
    },
    totals: {
      eligibleVoters: cell(good + 300),
      votersTurnedUp: cell(good + 20),
      envelopes: null,
      ballotsInEnvelopes: null,
      ballotsReceived: cell(good + 80),
      ballotsUsed: cell(good + 20),
      ballotsRemaining: cell(60),
      good: cell(good),
      bad: cell(12),
      noVote: cell(8),
      voteTotal: cell(good),
    },
    votes,
    checks: [],
    status: "verified",
    reasons: [],
    provenance: { ...EMPTY_PROVENANCE, provider: "bench", model: "bench" },
  };
  const outcome = checkForm(base);
  return { ...base, checks: outcome.checks, status: outcome.status, reasons: outcome.reasons };
}

function fill(file: string): void {
  const store = SqliteStore.open(file);
  for (let i = 0; i < COUNT; i++) {
    const result = form(i);
    store.upsertDocument({
      id: result.document.id,
      primaryPath: result.document.sources[0]!.path,
      container: "pdf",
      sources: result.document.sources,
      pathMetadata: null,
    });
    store.saveResult(result);
    if ((i + 1) % 20_000 === 0) process.stderr.write(`filled ${i + 1}/${COUNT}\n`);
  }
  store.close();
}

async function main(): Promise<void> {
  if (!existsSync(join(REPO, "dist/cli/main.js"))) throw new Error("run `npm run build` first");
  const dir = mkdtempSync(join(tmpdir(), "export-memory-"));
  const outDir = join(dir, "out");
  mkdirSync(outDir);
  const kept = process.env["BENCH_EXPORT_STATE"];
  try {
    if (kept !== undefined && existsSync(kept)) copyFileSync(kept, statePath(outDir));
    else {
      // One transaction per save is bound by fsync: fill in memory-backed /dev/shm when there is one.
      const fillDir = existsSync("/dev/shm") ? mkdtempSync("/dev/shm/export-memory-") : dir;
      try {
        fill(join(fillDir, "state.sqlite"));
        copyFileSync(join(fillDir, "state.sqlite"), statePath(outDir));
        if (kept !== undefined) copyFileSync(join(fillDir, "state.sqlite"), kept);
      } finally {
        if (fillDir !== dir) rmSync(fillDir, { recursive: true, force: true });
      }
    }
    const pdf = process.env["BENCH_EXPORT_PDF"] === "1";
    const runs = [];
    for (let run = 0; run < RUNS; run++) {
      const outcome = await runCliForPeakRss(["report", "--out", outDir, ...(pdf ? [] : ["--no-pdf"])]);
      const peakMb = outcome.peakKb / 1024;
      if (outcome.code !== 0) throw new Error(`report exited ${outcome.code}: ${outcome.stderr}`);
      runs.push({ peakMb: Math.round(peakMb), seconds: Number(outcome.seconds.toFixed(1)) });
      process.stdout.write(
        `${COUNT} documents${pdf ? " with PDFs" : ""}: peak RSS ${peakMb.toFixed(0)} MB, ${outcome.seconds.toFixed(1)} s\n`,
      );
    }
    mkdirSync(join(REPO, "bench/results"), { recursive: true });
    writeFileSync(
      join(REPO, "bench/results/export-memory.json"),
      `${JSON.stringify({ documents: COUNT, pdf, runs, loadAverage: loadavg()[0], at: new Date().toISOString() }, null, 2)}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
