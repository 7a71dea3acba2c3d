import type { Result } from "../basics/result.js";
import type { FormCode, FormKind } from "../forms/form-kind.js";
import type { PathMetadata } from "../forms/path-metadata.js";
import type { ProcessingError, SourceFile } from "../forms/form-result.js";

/** What discovery found: one logical document (a PDF, a loose image, or a page series). */
export interface DiscoveredDocument {
  /** sha256 of the file, or of the page files' hashes joined in order for a series. */
  readonly id: string;
  readonly container: "pdf" | "image" | "image-series" | "tiff";
  /** In page order. */
  readonly sources: readonly SourceFile[];
  /** Display path: the file, or the first page of a series. */
  readonly primaryPath: string;
  readonly pathMetadata: PathMetadata;
}

/** A file that could not become a document at all (unreadable path, zero bytes, unknown type). */
export interface RejectedInput {
  readonly path: string;
  readonly error: ProcessingError;
}

export interface PreparedPage {
  /** 1-based page within the document. */
  readonly index: number;
  readonly role: "counts" | "signatures" | "unknown";
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  readonly sourceBytes: number;
  /** null when the page is not sent (signature pages). */
  readonly jpeg: Buffer | null;
  readonly width: number;
  readonly height: number;
}

export interface PrepareOptions {
  /** Long side in px after downscaling. */
  readonly maxLongSide: number;
  readonly jpegQuality: number;
  /** Refuse pages whose pixel count exceeds this, before decoding. */
  readonly maxPixels: number;
  readonly maxPdfPages: number;
  /** Form kind and code when known (from path metadata), to decide which pages to send. */
  readonly formKindHint: FormKind | null;
  readonly formCodeHint: FormCode | null;
  /** Prepare signature pages too (send every page). */
  readonly includeSignaturePages: boolean;
}

export type PrepareResult = Result<readonly PreparedPage[], ProcessingError>;
