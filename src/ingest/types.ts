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

/**
 * How a page's pixels were obtained:
 * - "image": a loose image file or a TIFF page, decoded by sharp;
 * - "pdf-embedded-jpeg": a scanned PDF page whose one full-page JPEG is passed to sharp as is;
 * - "pdf-embedded-image": the same, but the image is not a plain JPEG, so MuPDF decodes it;
 * - "pdf-render": the page is rendered by MuPDF (vector content, several images, annotations…).
 */
export type PageSourceMethod = "image" | "pdf-embedded-jpeg" | "pdf-embedded-image" | "pdf-render";

export interface PreparedPage {
  /** 1-based page within the document. */
  readonly index: number;
  readonly role: "counts" | "signatures" | "unknown";
  /** Pixel size of the page's source: the image, the embedded scan, or the MuPDF rendering. */
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  /**
   * Encoded bytes of the page's source: the image file, or the embedded image stream. Where a page
   * has no bytes of its own (a rendered PDF page, one page of a multi-page TIFF) it is the file's
   * size divided by its page count.
   */
  readonly sourceBytes: number;
  /** null when the page is not sent (signature pages). */
  readonly jpeg: Buffer | null;
  /** Size of the prepared JPEG (0 × 0 when the page is not sent). */
  readonly width: number;
  readonly height: number;
  readonly method?: PageSourceMethod;
  /** Wall time spent decoding/rendering and encoding this page. */
  readonly elapsedMs?: number;
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
  /** Render every PDF page instead of passing scanned images through (diagnostics, comparisons). */
  readonly forcePdfRender?: boolean;
}

export type PrepareResult = Result<readonly PreparedPage[], ProcessingError>;
