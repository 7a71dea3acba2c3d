import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type BatchAnalysis, BatchCollector } from "../aggregate/batch-analysis.js";
import type { ContentCopyInput } from "../aggregate/content-copies.js";
import { writeFileAtomic } from "../basics/atomic-file.js";
import type { FormResult } from "../forms/form-result.js";
import type { Reference } from "../reference/reference.js";
import { constituenciesCsvLines } from "./constituencies-csv.js";
import { CSV_BOM, csvRow } from "./csv.js";
import { LineWriter } from "./line-writer.js";
import { type ReportMeta, renderSummaryMarkdown } from "./summary-md.js";
import { SpilledForms } from "./form-spill.js";
import { STATIONS_CSV_HEADER, stationsCsvLines } from "./stations-csv.js";
import { VOTES_CSV_HEADER, votesCsvRows } from "./votes-csv.js";

export const REPORT_FILES = {
  results: "results.jsonl",
  votes: "votes.csv",
  stations: "stations.csv",
  constituencies: "constituencies.csv",
  summary: "summary.md",
} as const;

export interface WriteReportsInput {
  readonly results: Iterable<FormResult> | AsyncIterable<FormResult>;
  readonly outDir: string;
  readonly reference?: Reference;
  readonly meta: ReportMeta;
  /** Paths under which the engine found the same file content (it reads such a file once). */
  readonly contentDuplicates?: Iterable<ContentCopyInput>;
  /** Documents listed in the review queue (default 20). */
  readonly reviewLimit?: number;
  /** Also write the PDF reports into outDir/pdf (see writePdfReports). Default false. */
  readonly pdf?: boolean | { readonly constituencies?: readonly string[] };
  readonly signal?: AbortSignal;
}

export interface WriteReportsOutput {
  /** Absolute or outDir-joined paths of every file written. */
  readonly files: string[];
  /** Problems that did not stop the exports, e.g. no Thai font for the PDFs. */
  readonly warnings: string[];
}

/**
 * @deprecated PDFs are built in (`pdf: true`); kept so early callers that pass a writer still
 * compile. A writer passed to writeReports is ignored.
 */
export type PdfWriter = (...args: never[]) => unknown;

async function writeLines(path: string, lines: Iterable<string>, bom: boolean): Promise<void> {
  const writer = new LineWriter(path);
  try {
    if (bom) await writer.write(CSV_BOM);
    for (const line of lines) await writer.write(line);
    await writer.close();
  } catch (error) {
    await writer.abandon();
    throw error;
  }
}

/**
 * Write every export of a batch in one pass over the results: results.jsonl and votes.csv stream
 * as results arrive, each form's compact summary goes to a temporary file (form-spill.ts), and
 * stations.csv, constituencies.csv, summary.md and the PDFs come from the analysis of those
 * summaries, one constituency at a time. Memory stays bounded at any batch size.
 */
export async function writeReports(input: WriteReportsInput, _deprecatedPdfWriter?: PdfWriter): Promise<WriteReportsOutput> {
  const { outDir, reference, signal } = input;
  await mkdir(outDir, { recursive: true });
  const paths = {
    results: join(outDir, REPORT_FILES.results),
    votes: join(outDir, REPORT_FILES.votes),
    stations: join(outDir, REPORT_FILES.stations),
    constituencies: join(outDir, REPORT_FILES.constituencies),
    summary: join(outDir, REPORT_FILES.summary),
  };
  const spill = SpilledForms.open(outDir);
  try {
    const collector = new BatchCollector(input.reviewLimit ?? 20, spill);
    const results = new LineWriter(paths.results);
    const votes = new LineWriter(paths.votes);
    const stations = new LineWriter(paths.stations);
    let analysis: BatchAnalysis;
    try {
      await votes.write(CSV_BOM + csvRow(VOTES_CSV_HEADER));
      for await (const result of input.results) {
        signal?.throwIfAborted();
        await results.write(`${JSON.stringify(result)}\n`);
        await votes.write(votesCsvRows(result, reference));
        collector.add(result);
      }
      await stations.write(CSV_BOM + csvRow(STATIONS_CSV_HEADER));
      const parts = collector.analyseByPart(reference, input.contentDuplicates ?? []);
      let step = parts.next();
      for (; !step.done; step = parts.next()) {
        signal?.throwIfAborted();
        for (const line of stationsCsvLines(step.value)) await stations.write(line);
      }
      analysis = step.value;
      await results.close();
      await votes.close();
      await stations.close();
    } catch (error) {
      // Each file is replaced whole or not at all: a failed or cancelled export keeps the previous one.
      await results.abandon();
      await votes.abandon();
      await stations.abandon();
      throw error;
    }
    return await writeSummaries(analysis, input, paths);
  } finally {
    spill.close();
  }
}

async function writeSummaries(
  analysis: BatchAnalysis,
  input: WriteReportsInput,
  paths: Record<keyof typeof REPORT_FILES, string>,
): Promise<WriteReportsOutput> {
  const { outDir, reference, meta, signal } = input;
  await writeLines(paths.constituencies, constituenciesCsvLines(analysis, reference), true);
  await writeFileAtomic(paths.summary, renderSummaryMarkdown(analysis, meta, reference));
  const files = [paths.results, paths.votes, paths.stations, paths.constituencies, paths.summary];
  const warnings: string[] = [];
  if (input.pdf) {
    // Loaded on demand: pdfkit and chart.js are only needed for PDFs.
    const { writePdfReports } = await import("./pdf/write-pdf-reports.js");
    const constituencies = typeof input.pdf === "object" ? input.pdf.constituencies : undefined;
    const pdfs = await writePdfReports(analysis, outDir, meta, reference, {
      ...(constituencies ? { constituencies } : {}),
      ...(signal ? { signal } : {}),
    });
    if (pdfs.ok) files.push(...pdfs.value);
    else warnings.push(`PDF reports not written: ${pdfs.error}`);
  }
  return { files, warnings };
}
