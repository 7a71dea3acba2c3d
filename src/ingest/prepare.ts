import { access } from "node:fs/promises";
import { err } from "../basics/result.js";
import type { FormKind } from "../forms/form-kind.js";
import { type Cancellation, throwIfCancelled } from "./cancellation.js";
import { prepareImageFiles, prepareTiff } from "./image.js";
import { ingestError } from "./ingest-error.js";
import { assignPageRoles } from "./page-roles.js";
import { preparePdf } from "./pdf.js";
import type { DiscoveredDocument, PrepareOptions, PrepareResult } from "./types.js";
import { errorMessage } from "../basics/error-message.js";

/**
 * Defaults checked on the real sample scans: 1800 px on the long side (~154 dpi for A4) keeps
 * handwritten Thai digits and words legible, and q82 one-channel JPEG brings a 2480×3509 PNG scan
 * (3.7–4 MB) to ~260 KB and a CamScanner PDF page (0.4–1 MB embedded JPEG) to 270–440 KB.
 * 50 MP is above a 600 dpi A3 scan (~35 MP) and far below a decompression bomb.
 */
export const DEFAULT_PREPARE_OPTIONS: PrepareOptions = {
  maxLongSide: 1800,
  jpegQuality: 82,
  maxPixels: 50_000_000,
  maxPdfPages: 200,
  formKindHint: null,
  formCodeHint: null,
  includeSignaturePages: false,
};

/** An explicit hint wins; otherwise what the path said. */
function formKindFor(doc: DiscoveredDocument, options: PrepareOptions): FormKind | null {
  return options.formKindHint ?? doc.pathMetadata.formKind?.value ?? null;
}

/**
 * Prepares one document in the calling thread, where the work must not matter to the event loop
 * (tests, scripts, library users with their own threads). Batch code uses the worker pool.
 * Resolves with the pages or a per-document error; rejects only when cancelled.
 */
export function prepareDocument(
  doc: DiscoveredDocument,
  options: PrepareOptions,
  signal: AbortSignal,
): Promise<PrepareResult> {
  return prepareDocumentWith(doc, options, signal);
}

/** Same as `prepareDocument`, with any cancellation source (the worker passes a shared-memory flag). */
export async function prepareDocumentWith(
  doc: DiscoveredDocument,
  options: PrepareOptions,
  cancel: Cancellation,
): Promise<PrepareResult> {
  throwIfCancelled(cancel);
  const kind = formKindFor(doc, options);
  const decideRoles = (pageCount: number) => assignPageRoles(pageCount, kind);
  for (const source of doc.sources) {
    try {
      await access(source.path);
    } catch (thrown) {
      return err(ingestError("unreadable", `Cannot read ${source.path}: ${errorMessage(thrown)}`));
    }
  }
  const [first] = doc.sources;
  if (!first) return err(ingestError("not_found", "The document has no source files."));
  try {
    switch (doc.container) {
      case "pdf":
        return await preparePdf(first, decideRoles, options, cancel);
      case "tiff":
        return await prepareTiff(first, decideRoles, options, cancel);
      case "image":
      case "image-series":
        return await prepareImageFiles(doc.sources, decideRoles, options, cancel);
    }
  } catch (thrown) {
    throwIfCancelled(cancel);
    // Anything unexpected in a decoder is still this document's problem, not the batch's.
    const code = doc.container === "pdf" ? "pdf_damaged" : "corrupt_image";
    return err(ingestError(code, `Preparation failed: ${errorMessage(thrown)}`));
  }
}
