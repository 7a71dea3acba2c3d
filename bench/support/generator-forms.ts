import type { FormResult } from "../../src/forms/form-result.js";
import type { NoiseLevel } from "../../src/synth/degrade.js";
import { generateSynthBatch } from "../../src/synth/generate.js";
import { readTruthBySha } from "../../test/e2e/support/cli-run.js";

/** `count` mixed generator forms as PDFs in `dir`, none with a writing error, and their truth by file hash. */
export async function generateMixedForms(
  dir: string,
  options: { readonly count: number; readonly seed: number; readonly noise: NoiseLevel; readonly dpi?: number },
): Promise<Map<string, FormResult>> {
  await generateSynthBatch({
    outDir: dir,
    count: options.count,
    kind: "mixed",
    seed: options.seed,
    format: "pdf",
    noise: options.noise,
    errorRate: 0,
    ...(options.dpi === undefined ? {} : { dpi: options.dpi }),
  });
  return readTruthBySha(dir);
}
