import { appendFileSync } from "node:fs";
import { join } from "node:path";
import type { FormResult } from "../forms/form-result.js";
import type { Reference } from "../reference/reference.js";
import type { ReportMeta } from "../reports/summary-md.js";
import { REPORT_FILES, writeReports } from "../reports/write-reports.js";
import type { Store } from "../storage/store.js";

/** The state store inside an output folder. */
export const STATE_FILE = "state.sqlite";

export function statePath(outDir: string): string {
  return join(outDir, STATE_FILE);
}

/** Appends each result to results.jsonl as it finishes (the full file is rewritten from the store at the end). */
export function resultAppender(outDir: string): (result: FormResult) => void {
  const file = join(outDir, REPORT_FILES.results);
  return (result) => appendFileSync(file, `${JSON.stringify(result)}\n`, "utf8");
}

export interface ExportSummary {
  readonly files: readonly string[];
  /** Stored results that no longer validate (skipped, listed here). */
  readonly invalid: readonly { documentId: string; error: string }[];
}

/** Regenerates every export (results.jsonl, votes.csv, stations.csv, constituencies.csv, summary.md) from the store. */
export async function regenerateExports(
  store: Store,
  outDir: string,
  meta: ReportMeta,
  reference?: Reference,
  signal?: AbortSignal,
): Promise<ExportSummary> {
  const invalid: { documentId: string; error: string }[] = [];
  function* results(): Iterable<FormResult> {
    for (const { documentId, result } of store.iterateResults()) {
      if (result.ok) yield result.value;
      else invalid.push({ documentId, error: result.error });
    }
  }
  const written = await writeReports({
    results: results(),
    outDir,
    meta,
    ...(reference ? { reference } : {}),
    ...(signal ? { signal } : {}),
  });
  return { files: written.files, invalid };
}
