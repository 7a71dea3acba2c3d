/**
 * Cuts labelled cell crops out of the project's own generator forms, exactly as the offline
 * reader cuts them (layout, then cellInput), for training and calibrating the cell recognizer.
 *
 *   npx tsx training/export_cells.ts --out training/.cache/gen-train --count 300 --seed 1001
 *
 * Writes OUT.u8 (one CELL_HEIGHT x CELL_WIDTH byte raster per cell, ink = 255) and OUT.jsonl
 * (one {label, key, noise} per cell; label "" is an empty cell, "-" a dash). Forms are made with
 * scan, photo and no noise in turn. Seeds 11 (eval:synth) must not be used here.
 */
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { renderCountPages } from "../bench/support/render-pages.js";
import { analyzePage, type CellKey } from "../src/local/layout/page-layout.js";
import { CELL_HEIGHT, CELL_WIDTH, cellInput } from "../src/local/recognize/cell-image.js";
import type { NoiseLevel } from "../src/synth/degrade.js";
import { generateSynthBatch, type SynthTruthLine } from "../src/synth/generate.js";

const TOTAL_FIELDS: Partial<Record<CellKey, string>> = {
  good: "good",
  bad: "bad",
  novote: "noVote",
  received: "ballotsReceived",
  used: "ballotsUsed",
  remaining: "ballotsRemaining",
  total_line: "voteTotal",
};

type TruthCell = { readonly digits: string | null; readonly mark: string; readonly value?: number | null } | null | undefined;

/** The string the recognizer should read: the value's digits, "-" for a dash, "" for empty. */
function label(cell: TruthCell, isRow: boolean): string | undefined {
  if (!cell) return isRow ? "" : undefined;
  if (cell.mark === "dash") return "-";
  if (cell.mark === "blank") return "";
  if (cell.mark !== "digits" || typeof cell.value !== "number") return undefined;
  return String(cell.value);
}

const { values } = parseArgs({
  options: {
    out: { type: "string" },
    count: { type: "string", default: "100" },
    seed: { type: "string", default: "1001" },
    chunk: { type: "string", default: "10" },
  },
});
if (!values.out) throw new Error("--out is required");
if (Number(values.seed) === 11) throw new Error("seed 11 is eval:synth's; pick another");
const count = Number(values.count);
const chunk = Number(values.chunk);
const rasters = await open(`${values.out}.u8`, "w");
const labels = await open(`${values.out}.jsonl`, "w");
const noises: NoiseLevel[] = ["scan", "photo", "scan", "none"];
let cells = 0;
try {
  for (let start = 0, part = 0; start < count; start += chunk, part++) {
    const noise = noises[part % noises.length]!;
    const dir = await mkdtemp(path.join(tmpdir(), "export-cells-"));
    try {
      const batch = await generateSynthBatch({
        outDir: dir,
        count: Math.min(chunk, count - start),
        kind: "mixed",
        seed: Number(values.seed) * 1000 + part,
        format: "pdf",
        noise,
        errorRate: 0.2,
      });
      const lines = (await readFile(batch.truthPath, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as SynthTruthLine);
      for (const line of lines) {
        const truth = line.truth;
        if (!truth.formKind) continue;
        for (const image of await renderCountPages(path.join(dir, line.path), truth.formKind)) {
          const layout = await analyzePage(image.data, image.page);
          if (!layout.ok) continue;
          for (const cell of layout.value.cells) {
            const isRow = cell.key.startsWith("row:");
            const truthCell = isRow
              ? truth.votes.find((v) => v.number === Number(cell.key.slice(4)))
              : (truth.totals as Record<string, TruthCell>)[TOTAL_FIELDS[cell.key] ?? ""];
            const want = label(truthCell as TruthCell, isRow);
            // A corrected value is written past the struck one, often beyond the crop: no clean label.
            const corrected = isRow && line.corrections.some((c) => c.number === Number(cell.key.slice(4)));
            if (want === undefined || corrected) continue;
            const input = cellInput(layout.value.gray, cell.box, cell.pitch);
            const bytes = new Uint8Array(CELL_HEIGHT * CELL_WIDTH);
            for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round(input[i]! * 255);
            await rasters.write(bytes);
            await labels.write(`${JSON.stringify({ label: want, key: cell.key, noise })}\n`);
            cells++;
          }
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    console.log(`${Math.min(count, start + chunk)}/${count} forms, ${cells} cells`);
  }
} finally {
  await rasters.close();
  await labels.close();
}
