/**
 * Scores the local (CPU) reader on the real development scans: ../shared/samples with its
 * hand-made truth.json. Reports per-cell accuracy, the share of documents verified locally,
 * silent errors (verified but wrong) and CPU time per page.
 *
 *   npm run eval:real -- [--samples DIR] [--min-confidence 0.9] [--cells FILE.jsonl] [--model FILE.onnx]
 *
 * Pages are rendered the way ingest prepares them for a provider, so the reader sees what it
 * would see in a run.
 */
import { access, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_MIN_CONFIDENCE, decideLocal, rowKeys } from "../src/local/decide.js";
import type { CellKey } from "../src/local/layout/page-layout.js";
import { readDocument } from "../src/local/local-reader.js";
import { loadLocalModel } from "../src/local/recognize/local-model.js";
import { type Expected, LocalEvalTally } from "./support/local-eval.js";
import { renderCountPages } from "./support/render-pages.js";
import { readSampleTruth, type SampleTruthEntry } from "./support/sample-truth.js";

const TRUTH_TOTALS: Partial<Record<CellKey, string>> = {
  good: "good",
  bad: "bad",
  noVote: "novote",
  ballotsReceived: "received",
  ballotsInEnvelopes: "ballots_in_envelopes",
  envelopes: "envelopes",
};

/** Loose page images sit in pages/ beside the PDFs' folders. */
async function sourcePath(samples: string, source: string): Promise<string> {
  const direct = path.join(samples, source);
  try {
    await access(direct);
    return direct;
  } catch {
    return path.join(samples, "pages", source);
  }
}

/** The truth for one of our cell keys: the counted value, or "blank" for an empty total. */
function truthValue(entry: SampleTruthEntry, key: CellKey): Expected | undefined {
  const cell = key.startsWith("row:")
    ? entry.votes.find((v) => v.no === Number(key.slice(4)))
    : key === "voteTotal"
      ? entry.total_line
      : entry.totals?.[TRUTH_TOTALS[key] ?? ""];
  if (!cell) return undefined;
  if (cell.value !== null) return cell.value;
  if (cell.mark === "dash") return 0;
  if (cell.mark === "blank") return key.startsWith("row:") ? 0 : "blank";
  return undefined;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      samples: { type: "string", default: path.resolve(import.meta.dirname, "../../shared/samples") },
      "min-confidence": { type: "string", default: String(DEFAULT_MIN_CONFIDENCE) },
      cells: { type: "string" },
      model: { type: "string" },
    },
  });
  const samples = values.samples;
  const minConfidence = Number(values["min-confidence"]);
  const truth = await readSampleTruth(samples);
  const classifier = await loadLocalModel(values.model);
  const tally = new LocalEvalTally(minConfidence);
  for (const entry of truth) {
    if (entry.page_type === "signatures") continue;
    const images = await renderCountPages(await sourcePath(samples, entry.source), entry.kind);
    const read = await readDocument(images, classifier);
    const decision = decideLocal(read, minConfidence);
    const keys: CellKey[] = [...rowKeys(entry.kind), "good", "bad", "noVote", "ballotsReceived", "voteTotal"];
    const expected = new Map(
      keys.flatMap((key) => {
        const value = truthValue(entry, key);
        return value === undefined ? [] : [[key, value] as const];
      }),
    );
    const score = tally.add(entry.id, read, decision, expected);
    const roles = read.pages.map((p) => p.role ?? p.failure).join(",");
    console.log(
      `${entry.id.padEnd(40)} ${decision.verified ? "VERIFIED" : "review  "} cells ${score.correct}/${expected.size} pages [${roles}]${score.silent ? "  SILENT ERROR" : ""}`,
    );
    if (!decision.verified) console.log(`    ${decision.reasons.join("; ").slice(0, 300)}`);
  }
  if (values.cells) await writeFile(values.cells, `${tally.cellLog.join("\n")}\n`);
  console.log("");
  for (const line of tally.summary()) console.log(line);
  console.log("");
  for (const line of tally.reliability()) console.log(line);
}

await main();
