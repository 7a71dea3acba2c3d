import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { err, ok, type Result } from "../../basics/result.js";
import type { BatchAnalysis } from "../../aggregate/batch-analysis.js";
import type { Reference } from "../../reference/reference.js";
import type { ReportMeta } from "../summary-md.js";
import { buildBatchSummary } from "./batch-summary-pdf.js";
import { buildConstituencyReport } from "./constituency-pdf.js";
import { buildExecutiveSummary } from "./executive-summary-pdf.js";
import { locateThaiFonts } from "./thai-fonts.js";

export const PDF_DIR = "pdf";

export interface PdfReportOptions {
  /** Constituency ids ("PRE_1") to report on; default every constituency in the batch. */
  readonly constituencies?: readonly string[];
  readonly signal?: AbortSignal;
}

/** File-system-safe name for a constituency id (ids can be province names as read). */
function fileSafe(key: string): string {
  return key.replace(/[\\/:*?"<>|\s]+/g, "-");
}

/**
 * Write executive-summary.pdf, batch-summary.pdf and constituency-<id>.pdf into outDir/pdf.
 * Fails (as a value) only when no Thai font is installed.
 */
export async function writePdfReports(
  analysis: BatchAnalysis,
  outDir: string,
  meta: ReportMeta,
  reference: Reference | undefined,
  options: PdfReportOptions = {},
): Promise<Result<string[], string>> {
  const fonts = locateThaiFonts();
  if (!fonts.ok) return err(fonts.error);
  const dir = join(outDir, PDF_DIR);
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  const executive = await buildExecutiveSummary(fonts.value, analysis, meta, reference);
  files.push(join(dir, "executive-summary.pdf"));
  await executive.save(files.at(-1)!);
  const batch = await buildBatchSummary(fonts.value, analysis, meta, reference);
  files.push(join(dir, "batch-summary.pdf"));
  await batch.save(files.at(-1)!);
  const wanted = options.constituencies ? new Set(options.constituencies) : null;
  const areas = [...analysis.rollup.constituencies.values()].sort((a, b) => a.key.localeCompare(b.key));
  for (const area of areas) {
    if (wanted && !wanted.has(area.key)) continue;
    options.signal?.throwIfAborted();
    const report = await buildConstituencyReport(fonts.value, analysis, area, analysis.stationsOf(area.key), meta, reference);
    files.push(join(dir, `constituency-${fileSafe(area.key)}.pdf`));
    await report.save(files.at(-1)!);
  }
  return ok(files);
}
