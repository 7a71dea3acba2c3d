/**
 * Scores the local (CPU) reader on the project's own generator forms, where the truth is exact:
 * per-cell accuracy, the share of documents verified locally, silent errors (verified but a
 * needed cell wrong) and, with --error-rate, whether forms whose written numbers do not add up
 * ever pass. It needs no ../shared; it is the reader's regression check on forms it can scale.
 *
 *   npm run eval:synth -- [--count 40] [--seed 11] [--noise none|scan|photo] [--kind mixed]
 *                         [--error-rate 0.3] [--min-confidence 0.9] [--model FILE.onnx]
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { CellKey } from "../src/local/layout/page-layout.js";
import { readDocument } from "../src/local/local-reader.js";
import { defaultModelPath, loadDigitClassifier } from "../src/local/recognize/digit-classifier.js";
import { DEFAULT_MIN_CONFIDENCE, decideLocal, rowKeys } from "../src/local/decide.js";
import { NOISE_LEVELS, type NoiseLevel } from "../src/synth/degrade.js";
import { generateSynthBatch, SYNTH_KINDS, type SynthKind, type SynthTruthLine } from "../src/synth/generate.js";
import { renderCountPages } from "./support/render-pages.js";

type TruthCell = { readonly digits: string | null; readonly mark: string } | null | undefined;

const TOTAL_FIELDS: Partial<Record<CellKey, string>> = {
  good: "good",
  bad: "bad",
  novote: "noVote",
  received: "ballotsReceived",
  used: "ballotsUsed",
  remaining: "ballotsRemaining",
  total_line: "voteTotal",
};

/** What is written in a cell, as the reader should count it: a number, or "blank" for an empty total. */
function writtenValue(cell: TruthCell, isRow: boolean): number | "blank" | undefined {
  if (!cell) return isRow ? 0 : undefined;
  if (cell.mark === "dash") return 0;
  if (cell.mark === "blank" || cell.digits === null) return isRow ? 0 : "blank";
  return /^\d+$/.test(cell.digits) ? Number(cell.digits) : undefined;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: "string", default: "40" },
      seed: { type: "string", default: "11" },
      noise: { type: "string", default: "scan" },
      kind: { type: "string", default: "mixed" },
      "error-rate": { type: "string", default: "0.3" },
      "min-confidence": { type: "string", default: String(DEFAULT_MIN_CONFIDENCE) },
      model: { type: "string" },
      verbose: { type: "boolean", default: false },
      cells: { type: "string" },
    },
  });
  const noise = values.noise as NoiseLevel;
  const kind = values.kind as SynthKind;
  if (!NOISE_LEVELS.includes(noise) || !SYNTH_KINDS.includes(kind)) throw new Error("bad --noise or --kind");
  const minConfidence = Number(values["min-confidence"]);
  const dir = await mkdtemp(path.join(tmpdir(), "eval-synth-"));
  try {
    const batch = await generateSynthBatch({
      outDir: dir,
      count: Number(values.count),
      kind,
      seed: Number(values.seed),
      format: "pdf",
      noise,
      errorRate: Number(values["error-rate"]),
    });
    const lines = (await readFile(batch.truthPath, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as SynthTruthLine);
    const classifier = await loadDigitClassifier(values.model ?? defaultModelPath());
    const cellLog: string[] = [];
    let cells = 0;
    let correct = 0;
    let docs = 0;
    let verified = 0;
    let confirmed = 0;
    let silent = 0;
    let inconsistent = 0;
    let inconsistentVerified = 0;
    let pages = 0;
    let cpuMs = 0;
    for (const line of lines) {
      const truth = line.truth;
      const formKind = truth.formKind;
      if (!formKind) continue;
      const read = await readDocument(await renderCountPages(path.join(dir, line.path), formKind), classifier);
      const decision = decideLocal(read, minConfidence);
      docs++;
      pages += read.pages.length;
      cpuMs += read.pages.reduce((s, p) => s + p.cpuMs, 0);
      const keys: CellKey[] = [...rowKeys(formKind), "good", "bad", "novote", "received", "used", "remaining", "total_line"];
      const wrong: string[] = [];
      for (const key of keys) {
        const isRow = key.startsWith("row:");
        const truthCell = isRow
          ? truth.votes.find((v) => v.number === Number(key.slice(4)))
          : (truth.totals as Record<string, TruthCell>)[TOTAL_FIELDS[key] ?? ""];
        const expected = writtenValue(truthCell, isRow);
        if (expected === undefined) continue;
        const got = read.cells.get(key);
        const gotValue = !got || got.value === null ? null : got.mark === "blank" && !isRow ? "blank" : got.value;
        cells++;
        cellLog.push(JSON.stringify({ doc: line.path, key, expected, got: got?.digits ?? got?.mark ?? "missing", confidence: got?.confidence ?? 0, ok: gotValue === expected }));
        if (gotValue === expected) correct++;
        else wrong.push(`${key} ${expected}→${got?.digits ?? got?.mark ?? "missing"}`);
      }
      const isInconsistent = line.injected.length > 0;
      if (isInconsistent) inconsistent++;
      if (decision.verified) {
        verified++;
        if (decision.confirmedBySums.length > 0) confirmed++;
        if (isInconsistent) inconsistentVerified++;
        if (wrong.length > 0) silent++;
      }
      const status = decision.verified ? "VERIFIED" : "review  ";
      const note = decision.verified && wrong.length > 0 ? "  SILENT ERROR" : "";
      console.log(`${status} ${formKind.padEnd(12)} wrong ${wrong.length}${isInconsistent ? " (written inconsistent)" : ""}${note}  ${wrong.slice(0, 4).join(", ")}`);
      if (!decision.verified && values.verbose) console.log(`    ${decision.reasons.join("; ").slice(0, 240)}`);
    }
    if (values.cells) await writeFile(values.cells, `${cellLog.join("\n")}\n`);
    const pct = (a: number, b: number): string => (b === 0 ? "n/a" : `${((100 * a) / b).toFixed(1)}%`);
    console.log("");
    console.log(`noise ${noise}, kind ${kind}, seed ${values.seed}, min confidence ${minConfidence}`);
    console.log(`per-cell accuracy     ${pct(correct, cells)} (${correct}/${cells})`);
    console.log(`verified locally      ${pct(verified, docs)} (${verified}/${docs}), ${confirmed} with weak cells confirmed by the sums`);
    console.log(`silent errors         ${silent}`);
    console.log(`inconsistent forms    ${inconsistent}, verified: ${inconsistentVerified}`);
    console.log(`CPU per page          ${(cpuMs / 1000 / Math.max(1, pages)).toFixed(2)} s (${pages} pages)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
