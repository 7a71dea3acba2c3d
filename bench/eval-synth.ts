/**
 * Scores the local (CPU) reader on the project's own generator forms, where the truth is exact:
 * per-cell accuracy, the share of documents verified locally, silent errors (verified but a
 * needed cell wrong) and, with --error-rate, whether forms whose written numbers do not add up
 * ever pass. It needs no ../shared; it is the reader's regression check on forms it can scale.
 *
 *   npm run eval:synth -- [--count 40] [--seed 11] [--noise none|scan|photo] [--kind mixed]
 *                         [--error-rate 0.3] [--min-confidence 0.9] [--model FILE.onnx] [--forms DIR]
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { CellKey } from "../src/local/layout/page-layout.js";
import { readDocument } from "../src/local/local-reader.js";
import { loadLocalModel } from "../src/local/recognize/local-model.js";
import { DEFAULT_MIN_CONFIDENCE, decideLocal, rowKeys } from "../src/local/decide.js";
import { NOISE_LEVELS, type NoiseLevel } from "../src/synth/degrade.js";
import { generateSynthBatch, SYNTH_KINDS, type SynthKind, type SynthTruthLine, TRUTH_FILE } from "../src/synth/generate.js";
import { type Expected, LocalEvalTally } from "./support/local-eval.js";
import { renderCountPages } from "./support/render-pages.js";

type TruthCell = { readonly digits: string | null; readonly mark: string } | null | undefined;

/** What is written in a cell, as the reader should count it: a number, or "blank" for an empty total. */
function writtenValue(cell: TruthCell, isRow: boolean): Expected | undefined {
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
      forms: { type: "string" },
    },
  });
  const noise = values.noise as NoiseLevel;
  const kind = values.kind as SynthKind;
  if (!NOISE_LEVELS.includes(noise) || !SYNTH_KINDS.includes(kind)) throw new Error("bad --noise or --kind");
  const minConfidence = Number(values["min-confidence"]);
  // --forms DIR keeps the generated forms there, and reuses them when DIR already holds a set
  // made with the same options, so two models can be scored on one set without making it twice.
  const dir = values.forms ?? (await mkdtemp(path.join(tmpdir(), "eval-synth-")));
  const made = path.join(dir, "made-with.json");
  const options = { count: Number(values.count), kind, seed: Number(values.seed), noise, errorRate: Number(values["error-rate"]) };
  try {
    const reuse = values.forms !== undefined && (await readFile(made, "utf8").catch(() => "")) === JSON.stringify(options);
    if (!reuse) {
      await generateSynthBatch({ outDir: dir, ...options, format: "pdf" });
      if (values.forms) await writeFile(made, JSON.stringify(options));
    }
    const lines = (await readFile(path.join(dir, TRUTH_FILE), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as SynthTruthLine);
    const classifier = await loadLocalModel(values.model);
    const tally = new LocalEvalTally(minConfidence);
    let inconsistent = 0;
    let inconsistentVerified = 0;
    for (const line of lines) {
      const truth = line.truth;
      const formKind = truth.formKind;
      if (!formKind) continue;
      const read = await readDocument(await renderCountPages(path.join(dir, line.path), formKind), classifier);
      const decision = decideLocal(read, minConfidence);
      const keys: CellKey[] = [
        ...rowKeys(formKind),
        "good",
        "bad",
        "noVote",
        "ballotsReceived",
        "ballotsUsed",
        "ballotsRemaining",
        "voteTotal",
      ];
      const expected = new Map(
        keys.flatMap((key) => {
          const isRow = key.startsWith("row:");
          const truthCell = isRow
            ? truth.votes.find((v) => v.number === Number(key.slice(4)))
            : (truth.totals as Record<string, TruthCell>)[key];
          const value = writtenValue(truthCell, isRow);
          return value === undefined ? [] : [[key, value] as const];
        }),
      );
      const { wrong, silent } = tally.add(line.path, read, decision, expected);
      const isInconsistent = line.injected.length > 0;
      if (isInconsistent) inconsistent++;
      if (isInconsistent && decision.verified) inconsistentVerified++;
      const status = decision.verified ? "VERIFIED" : "review  ";
      const note = silent ? "  SILENT ERROR" : "";
      console.log(
        `${status} ${formKind.padEnd(12)} wrong ${wrong.length}${isInconsistent ? " (written inconsistent)" : ""}${note}  ${wrong.slice(0, 4).join(", ")}`,
      );
      if (!decision.verified && values.verbose) console.log(`    ${decision.reasons.join("; ").slice(0, 240)}`);
    }
    if (values.cells) await writeFile(values.cells, `${tally.cellLog.join("\n")}\n`);
    console.log("");
    console.log(`noise ${noise}, kind ${kind}, seed ${values.seed}`);
    for (const summaryLine of tally.summary()) console.log(summaryLine);
    console.log("");
    for (const binLine of tally.reliability()) console.log(binLine);
    console.log(`inconsistent forms    ${inconsistent}, verified: ${inconsistentVerified}`);
  } finally {
    if (!values.forms) await rm(dir, { recursive: true, force: true });
  }
}

await main();
