import { readFileSync } from "node:fs";
import { type ModelReply, ModelReplySchema } from "../../src/extract/model-reply.js";
import type { LocalCellRead } from "../../src/local/recognize/read-cell.js";
import type { ExtractionRequest } from "../../src/providers/provider.js";
import { generateSynthBatch, type SynthTruthLine } from "../../src/synth/generate.js";

/** A cell the local reader read as digits, for tests of what is decided from readings. */
export function digitsCell(value: number, confidence = 0.99, otherValues: readonly number[] = []): LocalCellRead {
  return { mark: "digits", digits: String(value), value, confidence, doubt: null, otherValues };
}

/** A cell the local reader could not read. */
export function unsureCell(doubt: string): LocalCellRead {
  return { mark: "unsure", digits: null, value: null, confidence: 0, doubt, otherValues: [] };
}

/** A reading request for the local reader, one JPEG page per buffer. */
export function readingRequest(
  documentId: string,
  pages: readonly Buffer[],
  purpose: "read" | "reask" = "read",
): ExtractionRequest<ModelReply> {
  return {
    documentId,
    purpose,
    promptVersion: "test",
    system: "",
    user: "",
    images: pages.map((data, i) => ({ page: i + 1, mime: "image/jpeg", data })),
    replySchema: ModelReplySchema,
    schemaName: "tally_form_reading",
  };
}

/** `count` clean 5/18 constituency forms from the generator as PNG pages (seed 4) in `outDir`, with their truth lines. */
export async function generate518Pages(outDir: string, count = 1): Promise<SynthTruthLine[]> {
  const batch = await generateSynthBatch({
    outDir,
    count,
    kind: "constituency",
    form: "5/18",
    seed: 4,
    format: "png",
    noise: "none",
    errorRate: 0,
  });
  return readFileSync(batch.truthPath, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as SynthTruthLine);
}
