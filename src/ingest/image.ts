import { basename } from "node:path";
import sharp from "sharp";
import type { Metadata } from "sharp";
import { err, ok, type Result } from "../basics/result.js";
import type { SourceFile } from "../forms/form-result.js";
import { type Cancellation, throwIfCancelled } from "./cancellation.js";
import { readFile } from "node:fs/promises";
import { decodeOptions, encodePage, MAX_REUSED_JPEG_BYTES, reusableJpeg } from "./encode-page.js";
import { formatMegapixels, type IngestError, ingestError } from "./ingest-error.js";
import { isPageSent, type PreparedPageRole } from "./page-roles.js";
import { fsPath, imageInput } from "./raw-path.js";
import type { PreparedPage, PrepareOptions } from "./types.js";
import { errorMessage } from "../basics/error-message.js";

const SUPPORTED_FORMATS = new Set(["png", "jpeg", "webp", "tiff"]);

export interface ImageHeader {
  readonly format: string;
  /** Size after EXIF orientation. */
  readonly width: number;
  readonly height: number;
  readonly pages: number;
  readonly hasAlpha: boolean;
  /** Three colour channels in sRGB (alpha aside). */
  readonly rgb: boolean;
}

/**
 * Reads only the header (no pixel decode) and refuses what we will not decode: unknown formats,
 * and images above `maxPixels` (a 20000×20000 scan, or a tiny decompression bomb whose header
 * claims huge dimensions). sharp's own pixel limit is lifted here so that we can say how big.
 */
export async function readImageHeader(path: string, options: PrepareOptions, page = 0): Promise<Result<ImageHeader, IngestError>> {
  let metadata: Metadata;
  try {
    metadata = await sharp(await imageInput(path), { limitInputPixels: false, page }).metadata();
  } catch (thrown) {
    return err(ingestError("corrupt_image", `Cannot read the image header: ${errorMessage(thrown)}.`));
  }
  if (!SUPPORTED_FORMATS.has(metadata.format)) {
    return err(ingestError("not_a_supported_file", `Unsupported image format "${metadata.format}".`));
  }
  const { width, height } = metadata;
  if (!(width > 0 && height > 0)) {
    return err(ingestError("corrupt_image", "The image header gives no size."));
  }
  const pixels = width * height;
  if (pixels > options.maxPixels) {
    return err(
      ingestError(
        "image_too_large",
        `The image is ${width}×${height} px (${formatMegapixels(pixels)}), above the limit of ` +
          `${formatMegapixels(options.maxPixels)}; refused before decoding.`,
      ),
    );
  }
  const oriented = metadata.autoOrient ?? { width, height };
  return ok({
    format: metadata.format,
    width: oriented.width,
    height: oriented.height,
    pages: metadata.pages ?? 1,
    hasAlpha: metadata.hasAlpha,
    rgb: metadata.space === "srgb" && metadata.channels === (metadata.hasAlpha ? 4 : 3),
  });
}

function decodeFailure(thrown: unknown): IngestError {
  const message = errorMessage(thrown);
  if (/pixel limit/i.test(message)) {
    return ingestError("image_too_large", `The image is above the pixel limit: ${message}.`);
  }
  return ingestError("corrupt_image", `The image could not be decoded (truncated or corrupt): ${message}.`);
}

async function preparePage(
  path: string,
  index: number,
  role: PreparedPageRole,
  sourceBytes: number,
  header: ImageHeader,
  options: PrepareOptions,
  page: number,
): Promise<Result<PreparedPage, IngestError>> {
  const started = performance.now();
  const base = {
    index,
    role,
    sourceWidth: header.width,
    sourceHeight: header.height,
    sourceBytes,
    method: "image" as const,
  };
  if (!isPageSent(role, options.includeSignaturePages)) {
    return ok({ ...base, jpeg: null, width: 0, height: 0, elapsedMs: performance.now() - started });
  }
  try {
    if (header.format === "jpeg" && sourceBytes <= MAX_REUSED_JPEG_BYTES) {
      const reused = await reusableJpeg(await readFile(fsPath(path)), options);
      if (reused) return ok({ ...base, ...reused, elapsedMs: performance.now() - started });
    }
    const input = sharp(await imageInput(path), { ...decodeOptions(options), autoOrient: true, page });
    const encoded = await encodePage(input, options, { opaque: !header.hasAlpha, rgb: header.rgb });
    return ok({ ...base, ...encoded, elapsedMs: performance.now() - started });
  } catch (thrown) {
    return err(decodeFailure(thrown));
  }
}

function onPage(error: IngestError, index: number, path: string, of: number): IngestError {
  return of > 1 ? { ...error, message: `Page ${index} (${basename(path)}): ${error.message}` } : error;
}

/** Loose images: one page per file, in the given order (a single image or a page series). */
export async function prepareImageFiles(
  sources: readonly SourceFile[],
  decideRoles: (pageCount: number) => PreparedPageRole[],
  options: PrepareOptions,
  cancel: Cancellation,
): Promise<Result<PreparedPage[], IngestError>> {
  const roles = decideRoles(sources.length);
  const pages: PreparedPage[] = [];
  for (const [i, source] of sources.entries()) {
    throwIfCancelled(cancel);
    const index = i + 1;
    const header = await readImageHeader(source.path, options);
    if (!header.ok) return err(onPage(header.error, index, source.path, sources.length));
    const role = roles[i] ?? "unknown";
    const page = await preparePage(source.path, index, role, source.bytes, header.value, options, 0);
    if (!page.ok) return err(onPage(page.error, index, source.path, sources.length));
    pages.push(page.value);
  }
  return ok(pages);
}

/** A TIFF with one or more pages; `maxPdfPages` bounds its page count too. */
export async function prepareTiff(
  source: SourceFile,
  decideRoles: (pageCount: number) => PreparedPageRole[],
  options: PrepareOptions,
  cancel: Cancellation,
): Promise<Result<PreparedPage[], IngestError>> {
  const first = await readImageHeader(source.path, options);
  if (!first.ok) return first;
  const pageCount = first.value.pages;
  if (pageCount > options.maxPdfPages) {
    return err(ingestError("too_many_pages", `The TIFF has ${pageCount} pages, above the limit of ${options.maxPdfPages}.`));
  }
  const roles = decideRoles(pageCount);
  const sourceBytes = Math.round(source.bytes / pageCount);
  const pages: PreparedPage[] = [];
  for (let i = 0; i < pageCount; i++) {
    throwIfCancelled(cancel);
    const header = i === 0 ? first : await readImageHeader(source.path, options, i);
    if (!header.ok) return err({ ...header.error, message: `Page ${i + 1}: ${header.error.message}` });
    const page = await preparePage(source.path, i + 1, roles[i] ?? "unknown", sourceBytes, header.value, options, i);
    if (!page.ok) return err({ ...page.error, message: `Page ${i + 1}: ${page.error.message}` });
    pages.push(page.value);
  }
  return ok(pages);
}
