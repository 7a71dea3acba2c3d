import { access } from "node:fs/promises";
import { err } from "../basics/result.js";
import type { FormKind } from "../forms/form-kind.js";
import { type Cancellation, throwIfCancelled } from "./cancellation.js";
import { prepareImageFiles, prepareTiff } from "./image.js";
import { ingestError } from "./ingest-error.js";
import { assignPageRoles } from "./page-roles.js";
import { fsPath } from "./raw-path.js";
import type { DiscoveredDocument, PrepareOptions, PrepareResult } from "./types.js";
import { errorMessage } from "../basics/error-message.js";

// The defaults live in a module of their own, so that importing them does not load MuPDF.
export { DEFAULT_PREPARE_OPTIONS } from "./prepare-options.js";

/** An explicit hint wins; otherwise what the path said. */
function formKindFor(doc: DiscoveredDocument, options: PrepareOptions): FormKind | null {
  return options.formKindHint ?? doc.pathMetadata.formKind?.value ?? null;
}

/**
 * Prepares one document in the calling thread, where the work must not matter to the event loop
 * (tests, scripts, library users with their own threads). Batch code uses the worker pool.
 * Resolves with the pages or a per-document error; rejects only when cancelled.
 */
export function prepareDocument(doc: DiscoveredDocument, options: PrepareOptions, signal: AbortSignal): Promise<PrepareResult> {
  return prepareDocumentWith(doc, options, signal);
}

/** Same as `prepareDocument`, with any cancellation source (the worker passes a shared-memory flag). */
export async function prepareDocumentWith(doc: DiscoveredDocument, options: PrepareOptions, cancel: Cancellation): Promise<PrepareResult> {
  throwIfCancelled(cancel);
  const kind = formKindFor(doc, options);
  const decideRoles = (pageCount: number) => assignPageRoles(pageCount, kind);
  for (const source of doc.sources) {
    try {
      await access(fsPath(source.path));
    } catch (thrown) {
      return err(ingestError("unreadable", `Cannot read ${source.path}: ${errorMessage(thrown)}`));
    }
  }
  const [first] = doc.sources;
  if (!first) return err(ingestError("not_found", "The document has no source files."));
  try {
    switch (doc.container) {
      case "pdf": {
        // MuPDF (a WebAssembly module of ~25 MB per thread) loads only once a PDF is prepared.
        const { preparePdf } = await import("./pdf.js");
        return await preparePdf(first, decideRoles, options, cancel);
      }
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
