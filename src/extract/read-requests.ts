import type { DiscoveredDocument, PreparedPage } from "../ingest/types.js";
import type { ExtractionImage, ExtractionRequest } from "../providers/provider.js";
import { MODEL_REPLY_SCHEMA_NAME, type ModelReply, ModelReplySchema } from "./model-reply.js";
import { readPrompt } from "./prompts.js";
import type { RequestMode } from "./types.js";

/** One full-read request and the document pages it covers. */
export interface ReadRequest {
  readonly pages: readonly number[];
  readonly request: ExtractionRequest<ModelReply>;
}

/**
 * The full-read requests of a document: one for all its count pages, or one per page. The first
 * model's read and the second model's independent read (purpose "verify") are the same requests,
 * so the second model sees exactly the pages and the prompt the first did, and never its answer.
 */
export function readRequests(
  doc: DiscoveredDocument,
  pages: readonly PreparedPage[],
  sendable: readonly PreparedPage[],
  options: { readonly requestMode: RequestMode; readonly purpose: "read" | "verify"; readonly maxOutputTokens?: number | undefined },
): ReadRequest[] {
  const formKind = doc.pathMetadata.formKind?.value ?? null;
  const formCode = doc.pathMetadata.formCode?.value ?? null;
  const groups = options.requestMode === "page" ? sendable.map((page) => [page]) : [sendable];
  return groups.map((group) => {
    const pageNumbers = group.map((page) => page.index);
    const first = group[0];
    const prompt = readPrompt({
      documentId: doc.id,
      formKind,
      formCode,
      pages: pageNumbers,
      ...(options.requestMode === "page" && first ? { singlePage: { page: first.index, of: pages.length } } : {}),
    });
    return {
      pages: pageNumbers,
      request: {
        documentId: doc.id,
        purpose: options.purpose,
        promptVersion: prompt.promptVersion,
        system: prompt.system,
        user: prompt.user,
        images: group.map(pageImage),
        replySchema: ModelReplySchema,
        schemaName: MODEL_REPLY_SCHEMA_NAME,
        ...(options.maxOutputTokens !== undefined ? { maxOutputTokens: options.maxOutputTokens } : {}),
      },
    };
  });
}

/** The count pages a read sends and a witness reads: prepared, and not signature pages. */
export function sendablePages(pages: readonly PreparedPage[]): PreparedPage[] {
  return pages.filter((page) => page.jpeg !== null && page.role !== "signatures");
}

export function pageImage(page: PreparedPage): ExtractionImage {
  if (page.jpeg === null) throw new Error(`page ${page.index} has no prepared image`);
  return { page: page.index, mime: "image/jpeg", data: page.jpeg };
}
