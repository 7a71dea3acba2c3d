import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import PDFDocument from "pdfkit";
import type { SourceFile } from "../forms/form-result.js";

export const OUTPUT_FORMATS = ["pdf", "png"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** An encoded page image: JPEG for PDFs, PNG for page series. */
export interface EncodedPage {
  readonly bytes: Buffer;
  readonly width: number;
  readonly height: number;
}

export interface WrittenDocument {
  /** Content id, computed the way ingest computes it. */
  readonly id: string;
  /** Paths relative to the output folder, in page order. */
  readonly sources: readonly SourceFile[];
}

const A4_POINTS = { width: 595.28, height: 841.89 } as const;
/** Fixed so that the same seed gives the same bytes. */
const FIXED_DATE = new Date(Date.UTC(2026, 1, 8, 18, 0, 0));

export function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The id of a page series: sha256 of the page files' hex hashes joined with "\n", in page order. */
export function seriesId(pageHashes: readonly string[]): string {
  return sha256Hex(pageHashes.join("\n"));
}

/** One JPEG per page on A4 pages, as phone scanning apps produce. */
export function buildScanPdf(pages: readonly EncodedPage[], title: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      autoFirstPage: false,
      compress: true,
      info: {
        Title: title,
        Author: "ballot-ocr synth",
        Producer: "ballot-ocr synth",
        Creator: "ballot-ocr synth",
        CreationDate: FIXED_DATE,
        ModDate: FIXED_DATE,
      },
    });
    const chunks: Buffer[] = [];
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
    for (const page of pages) {
      doc.addPage({ size: [A4_POINTS.width, A4_POINTS.height], margin: 0 });
      doc.image(page.bytes, 0, 0, { width: A4_POINTS.width, height: A4_POINTS.height });
    }
    doc.end();
  });
}

/**
 * Writes one document under `outDir`: a PDF at `relativePath` + ".pdf", or a folder
 * `relativePath` holding page-1.png, page-2.png, ….
 */
export async function writeDocument(
  outDir: string,
  relativePath: string,
  format: OutputFormat,
  pages: readonly EncodedPage[],
): Promise<WrittenDocument> {
  if (format === "pdf") {
    const path = `${relativePath}.pdf`;
    const title = relativePath.split("/").pop() ?? relativePath;
    const bytes = await buildScanPdf(pages, title);
    await mkdir(dirname(join(outDir, path)), { recursive: true });
    await writeFile(join(outDir, path), bytes);
    const sha256 = sha256Hex(bytes);
    return { id: sha256, sources: [{ path, sha256, bytes: bytes.length }] };
  }
  await mkdir(join(outDir, relativePath), { recursive: true });
  const sources: SourceFile[] = [];
  for (const [i, page] of pages.entries()) {
    const path = `${relativePath}/page-${i + 1}.png`;
    await writeFile(join(outDir, path), page.bytes);
    sources.push({ path, sha256: sha256Hex(page.bytes), bytes: page.bytes.length });
  }
  return { id: seriesId(sources.map((s) => s.sha256)), sources };
}
