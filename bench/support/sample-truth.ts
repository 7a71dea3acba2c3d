import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

/** One hand-read cell of ../shared/samples/truth.json. */
export const SampleTruthCell = z
  .object({ digits: z.string().nullable(), mark: z.string(), value: z.number().nullable(), words: z.string().nullable().optional() })
  .loose();
export type SampleTruthCell = z.infer<typeof SampleTruthCell>;

/** One document of truth.json: its source (a PDF under a folder, or a loose page in pages/) and its counts. */
export const SampleTruthEntry = z
  .object({
    id: z.string(),
    source: z.string(),
    form: z.string().optional(),
    kind: z.enum(["constituency", "party_list"]),
    pages: z.number(),
    page_type: z.string().optional(),
    totals: z.record(z.string(), SampleTruthCell).nullable(),
    votes: z.array(SampleTruthCell.extend({ no: z.number() })),
    total_line: SampleTruthCell.nullable(),
    duplicate_of: z.string().optional(),
  })
  .loose();
export type SampleTruthEntry = z.infer<typeof SampleTruthEntry>;

/** The samples' truth.json, checked. */
export async function readSampleTruth(samples: string): Promise<SampleTruthEntry[]> {
  return z.array(SampleTruthEntry).parse(JSON.parse(await readFile(path.join(samples, "truth.json"), "utf8")));
}
