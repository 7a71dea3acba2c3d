import { dirname } from "node:path";
import type { FormResult } from "../forms/form-result.js";
import type { Reference } from "../reference/reference.js";
import type { ReportMeta } from "../reports/summary-md.js";
import { type WriteReportsInput, writeReports } from "../reports/write-reports.js";
import type { Store } from "../storage/store.js";

export interface ExportOptions {
  readonly reference?: Reference;
  readonly signal?: AbortSignal;
  /** Also the PDF reports (see writeReports); default none. */
  readonly pdf?: WriteReportsInput["pdf"];
  /** Changes each result on its way into the exports (the web shows upload-relative paths). */
  readonly mapResult?: (result: FormResult) => FormResult;
}

export interface ExportSummary {
  /** Every file written, each replaced whole (written to a temporary file, then renamed). */
  readonly files: readonly string[];
  /** Stored results that no longer validate: left out of the exports, and listed here so callers report them. */
  readonly invalid: readonly { documentId: string; error: string }[];
  /** Problems that did not stop the exports, e.g. no Thai font for the PDFs. */
  readonly warnings: readonly string[];
}

/**
 * Regenerates every export of an output folder (results.jsonl, votes.csv, stations.csv,
 * constituencies.csv, summary.md, and the PDFs when asked) from its store. The one path by which
 * `process`, `process --queue`, `report` and the web server write reports.
 */
export async function regenerateExports(
  store: Store,
  outDir: string,
  meta: ReportMeta,
  options: ExportOptions = {},
): Promise<ExportSummary> {
  const invalid: { documentId: string; error: string }[] = [];
  function* results(): Iterable<FormResult> {
    for (const { documentId, result } of store.iterateResults()) {
      if (result.ok) yield options.mapResult ? options.mapResult(result.value) : result.value;
      else invalid.push({ documentId, error: result.error });
    }
  }
  const written = await writeReports({
    results: results(),
    outDir,
    meta,
    ...(options.reference ? { reference: options.reference } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.pdf !== undefined ? { pdf: options.pdf } : {}),
  });
  return { files: written.files, invalid, warnings: written.warnings };
}

/** The files written, for a person: the PDFs are counted, not listed (one per constituency). */
export function describeOutputs(files: readonly string[]): string {
  const pdfs = files.filter((file) => file.endsWith(".pdf"));
  const others = files.filter((file) => !file.endsWith(".pdf"));
  if (pdfs.length === 0) return others.join(", ");
  const dir = dirname(pdfs[0]!);
  return [...others, `${dir}/ (${pdfs.length} PDF${pdfs.length === 1 ? "" : "s"})`].join(", ");
}
