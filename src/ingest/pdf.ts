import { readFile } from "node:fs/promises";
import * as mupdf from "mupdf";
import sharp from "sharp";
import { err, ok, type Result } from "../basics/result.js";
import type { SourceFile } from "../forms/form-result.js";
import { type Cancellation, throwIfCancelled } from "./cancellation.js";
import { decodeOptions, type EncodedPage, encodePage, type QuarterTurn, reusableJpeg } from "./encode-page.js";
import { formatMegapixels, type IngestError, ingestError } from "./ingest-error.js";
import { damageIn, type MupdfMessage, withMupdfLog } from "./mupdf-log.js";
import { fsPath } from "./raw-path.js";
import { isPageSent, type PreparedPageRole } from "./page-roles.js";
import type { PageSourceMethod, PreparedPage, PrepareOptions } from "./types.js";
import { errorMessage } from "../basics/error-message.js";

/** Upper bound for rendering: A4 at the default 1800 px long side is ~154 dpi. */
const MAX_RENDER_DPI = 200;
/** A page counts as "one scanned image" when its largest image covers this share of the page... */
const MIN_SCAN_COVERAGE = 0.85;
/** ...and all other images together (scanner-app watermarks, logos) cover at most this share. */
const MAX_OTHER_IMAGE_COVERAGE = 0.05;

type Rect = [number, number, number, number];
type Matrix = [number, number, number, number, number, number];

/** What a page's content turned out to be, found by running it through a recording device. */
interface PageScan {
  /** The largest image drawn, still owned by us (destroy it). */
  readonly image: mupdf.Image | null;
  readonly imageCtm: Matrix | null;
  readonly imageArea: number;
  readonly otherImageArea: number;
  /** Vector paths, visible text, shadings or stencil masks: anything a passthrough would lose. */
  readonly otherMarks: number;
}

function transformedArea(ctm: Matrix): number {
  // Area of the unit square under the matrix = |det|.
  return Math.abs(ctm[0] * ctm[3] - ctm[1] * ctm[2]);
}

function rectArea(rect: Rect): number {
  return Math.max(0, rect[2] - rect[0]) * Math.max(0, rect[3] - rect[1]);
}

function scanPage(page: mupdf.PDFPage): PageScan {
  let image: mupdf.Image | null = null;
  let imageCtm: Matrix | null = null;
  let imageArea = 0;
  let otherImageArea = 0;
  let otherMarks = 0;
  const mark = (...owned: { destroy(): void }[]): void => {
    otherMarks++;
    for (const o of owned) o.destroy();
  };
  const release = (...owned: { destroy(): void }[]): void => {
    for (const o of owned) o.destroy();
  };
  const device = new mupdf.Device({
    fillImage(drawn: mupdf.Image, ctm: Matrix) {
      const area = transformedArea(ctm);
      if (area > imageArea) {
        if (image) image.destroy();
        otherImageArea += imageArea;
        image = drawn;
        imageCtm = ctm;
        imageArea = area;
      } else {
        otherImageArea += area;
        drawn.destroy();
      }
    },
    fillPath: (path, _evenOdd, _ctm, colorspace) => mark(path, colorspace),
    strokePath: (path, stroke, _ctm, colorspace) => mark(path, stroke, colorspace),
    fillText: (text, _ctm, colorspace) => mark(text, colorspace),
    strokeText: (text, stroke, _ctm, colorspace) => mark(text, stroke, colorspace),
    fillShade: (shade) => mark(shade),
    fillImageMask: (mask, _ctm, colorspace) => mark(mask, colorspace),
    // Invisible OCR text layers and clips change nothing visible.
    ignoreText: (text) => release(text),
    clipPath: (path) => release(path),
    clipStrokePath: (path, stroke) => release(path, stroke),
    clipText: (text) => release(text),
    clipStrokeText: (text, stroke) => release(text, stroke),
    clipImageMask: (mask) => release(mask),
  });
  try {
    page.run(device, mupdf.Matrix.identity);
    device.close();
  } finally {
    device.destroy();
  }
  return { image, imageCtm, imageArea, otherImageArea, otherMarks };
}

/** The quarter turn that makes an axis-aligned image upright, or null when it is skewed or mirrored. */
function uprightTurn(ctm: Matrix): QuarterTurn | null {
  const [a, b, c, d] = ctm;
  const tiny = 1e-3 * Math.max(Math.abs(a), Math.abs(b), Math.abs(c), Math.abs(d));
  const zero = (v: number): boolean => Math.abs(v) <= tiny;
  if (zero(b) && zero(c)) {
    if (a > 0 && d > 0) return 0;
    if (a < 0 && d < 0) return 180;
    return null;
  }
  if (zero(a) && zero(d)) {
    // Image rows run down the page (b > 0) with the first row on the right (c < 0): turn clockwise.
    if (b > 0 && c < 0) return 90;
    if (b < 0 && c > 0) return 270;
  }
  return null;
}

/** The raw JPEG bytes of the page's image XObject of that size, when it is a plain JPEG we can pass through. */
function plainJpegStream(page: mupdf.PDFPage, width: number, height: number): Uint8Array | null {
  // Every PDFObject wrapper holds a MuPDF reference: collect them and release them all at the end.
  const owned: mupdf.PDFObject[] = [];
  const own = (object: mupdf.PDFObject): mupdf.PDFObject => {
    owned.push(object);
    return object;
  };
  try {
    const resources = own(own(page.getObject()).getInheritable("Resources"));
    const xobjects = resources.isNull() ? null : own(resources.get("XObject"));
    if (!xobjects?.isDictionary()) return null;
    const matches: mupdf.PDFObject[] = [];
    xobjects.forEach((ref) => {
      own(ref);
      const xobject = own(ref.resolve());
      const is = (key: string, value: string | number): boolean => {
        const field = own(xobject.get(key));
        return typeof value === "string" ? field.isName() && field.asName() === value : field.asNumber() === value;
      };
      if (is("Subtype", "Image") && is("Width", width) && is("Height", height)) matches.push(ref);
    });
    const [ref] = matches;
    if (!ref || matches.length !== 1) return null;
    const xobject = own(ref.resolve());
    const field = (key: string) => own(xobject.get(key));
    const filter = field("Filter");
    const filters = filter.isArray() ? Array.from({ length: filter.length }, (_, i) => own(filter.get(i))) : [filter];
    if (filters.length !== 1 || !filters[0]?.isName() || filters[0].asName() !== "DCTDecode") return null;
    // A Decode array, a mask, a stencil or CMYK (often stored inverted) need MuPDF to get right.
    if (!field("Decode").isNull() || !field("SMask").isNull() || !field("Mask").isNull()) return null;
    if (field("ImageMask").asBoolean()) return null;
    const colorSpace = field("ColorSpace");
    const name = colorSpace.isName() ? colorSpace.asName() : null;
    if (name !== "DeviceGray" && name !== "DeviceRGB") return null;
    const stream = ref.readRawStream();
    try {
      return Uint8Array.from(stream.asUint8Array()); // copy out of WASM memory
    } finally {
      stream.destroy();
    }
  } finally {
    for (const object of owned) object.destroy();
  }
}

function grayPixels(pixmap: mupdf.Pixmap): { pixels: Buffer; width: number; height: number } {
  const width = pixmap.getWidth();
  const height = pixmap.getHeight();
  const stride = pixmap.getStride();
  const samples = pixmap.getPixels(); // a view into WASM memory: copy before anything else runs
  if (stride === width) return { pixels: Buffer.from(samples), width, height };
  const pixels = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) pixels.set(samples.subarray(y * stride, y * stride + width), y * width);
  return { pixels, width, height };
}

function toGray(source: mupdf.Pixmap): { pixels: Buffer; width: number; height: number } {
  const isPlainGray = source.getNumberOfComponents() === 1 && source.getAlpha() === 0;
  if (isPlainGray) return grayPixels(source);
  const gray = source.convertToColorSpace(mupdf.ColorSpace.DeviceGray, false);
  try {
    return grayPixels(gray);
  } finally {
    gray.destroy();
  }
}

/**
 * What we take from one page, synchronously, before any await. `width`/`height` are upright
 * (after `turn`); `gray` pixels are as stored, before the turn.
 */
type PageSource =
  | { method: "pdf-embedded-jpeg"; jpeg: Uint8Array; turn: QuarterTurn; width: number; height: number }
  | {
      method: "pdf-embedded-image" | "pdf-render";
      gray: { pixels: Buffer; width: number; height: number } | null;
      turn: QuarterTurn;
      width: number;
      height: number;
    };

function renderScale(bounds: Rect, options: PrepareOptions): number {
  const longSidePt = Math.max(bounds[2] - bounds[0], bounds[3] - bounds[1], 1);
  return Math.min(MAX_RENDER_DPI / 72, options.maxLongSide / longSidePt);
}

/**
 * Takes one page's pixels. A scanned page (one image covering most of the page, nothing else but
 * small images such as a scanner app's watermark) is taken from its embedded image: the JPEG bytes
 * as they are when possible, else the image decoded by MuPDF. Everything else is rendered to grey.
 * `wanted` false only measures the page (signature pages that are not sent).
 */
function takePage(page: mupdf.PDFPage, options: PrepareOptions, wanted: boolean): Result<PageSource, IngestError> {
  const bounds = page.getBounds() as Rect;
  const pageArea = Math.max(rectArea(bounds), 1);
  const scan = scanPage(page);
  try {
    const turn = scan.imageCtm ? uprightTurn(scan.imageCtm) : null;
    const isScan =
      options.forcePdfRender !== true &&
      scan.image !== null &&
      turn !== null &&
      scan.otherMarks === 0 &&
      scan.imageArea >= MIN_SCAN_COVERAGE * pageArea &&
      scan.otherImageArea <= MAX_OTHER_IMAGE_COVERAGE * pageArea;
    if (isScan && scan.image && turn !== null) {
      const image: mupdf.Image = scan.image;
      const width = image.getWidth();
      const height = image.getHeight();
      if (width * height > options.maxPixels) {
        return err(
          ingestError(
            "image_too_large",
            `The scanned image is ${width}×${height} px (${formatMegapixels(width * height)}), above the limit of ` +
              `${formatMegapixels(options.maxPixels)}; refused before decoding.`,
          ),
        );
      }
      const sideways = turn === 90 || turn === 270;
      const size = { width: sideways ? height : width, height: sideways ? width : height };
      const jpeg = plainJpegStream(page, width, height);
      if (jpeg) return ok({ method: "pdf-embedded-jpeg", jpeg, turn, ...size });
      if (!wanted) return ok({ method: "pdf-embedded-image", gray: null, turn, ...size });
      const pixmap = image.toPixmap();
      try {
        return ok({ method: "pdf-embedded-image", gray: toGray(pixmap), turn, ...size });
      } finally {
        pixmap.destroy();
      }
    }
    const scale = renderScale(bounds, options);
    const width = Math.round((bounds[2] - bounds[0]) * scale);
    const height = Math.round((bounds[3] - bounds[1]) * scale);
    if (!wanted) return ok({ method: "pdf-render", gray: null, width, height, turn: 0 });
    const pixmap = page.toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceGray, false, true);
    try {
      const gray = grayPixels(pixmap);
      return ok({ method: "pdf-render", gray, width: gray.width, height: gray.height, turn: 0 });
    } finally {
      pixmap.destroy();
    }
  } finally {
    scan.image?.destroy();
  }
}

async function encodeSource(source: PageSource, options: PrepareOptions): Promise<EncodedPage> {
  if (source.method === "pdf-embedded-jpeg") {
    // A scanner's own JPEG that is small enough goes as it is (not when it carries an EXIF turn,
    // which a PDF viewer ignores but a model's decoder would apply).
    const reused = await reusableJpeg(source.jpeg, options, source.turn);
    if (reused) return reused;
    // No autoOrient: a PDF viewer ignores EXIF in image streams, and so do we.
    return encodePage(sharp(source.jpeg, decodeOptions(options)), options, { turn: source.turn, opaque: true });
  }
  if (!source.gray) throw new Error("page pixels were not taken");
  const { pixels, width, height } = source.gray;
  const input = sharp(pixels, { ...decodeOptions(options), raw: { width, height, channels: 1 } });
  return encodePage(input, options, { turn: source.turn, opaque: true });
}

function damaged(message: MupdfMessage | string): IngestError {
  const text = typeof message === "string" ? message : message.text;
  return ingestError("pdf_damaged", `The PDF is damaged or truncated: ${text}.`);
}

interface OpenedPdf {
  readonly document: mupdf.PDFDocument;
  readonly pageCount: number;
}

function openPdf(bytes: Uint8Array, options: PrepareOptions, log: MupdfMessage[]): Result<OpenedPdf, IngestError> {
  let document: mupdf.Document;
  try {
    document = withMupdfLog(log, () => mupdf.Document.openDocument(bytes, "application/pdf"));
  } catch (thrown) {
    return err(damaged(errorMessage(thrown)));
  }
  const pdf = document.asPDF();
  if (!pdf) {
    document.destroy();
    return err(ingestError("pdf_damaged", "The file could not be read as a PDF."));
  }
  let handedOver = false;
  try {
    if (pdf.needsPassword()) {
      return err(ingestError("pdf_encrypted", "The PDF is password-protected (encrypted); remove the password and retry."));
    }
    const pageCount = withMupdfLog(log, () => pdf.countPages());
    if (pageCount === 0) {
      return err(ingestError("pdf_damaged", "The PDF has no readable pages; it is probably damaged or truncated."));
    }
    if (pageCount > options.maxPdfPages) {
      return err(
        ingestError("too_many_pages", `The PDF has ${pageCount} pages, above the limit of ${options.maxPdfPages}; nothing was rendered.`),
      );
    }
    const damage = damageIn(log);
    if (damage) return err(damaged(damage));
    handedOver = true;
    return ok({ document: pdf, pageCount });
  } catch (thrown) {
    return err(damaged(errorMessage(thrown)));
  } finally {
    if (!handedOver) pdf.destroy();
  }
}

function onPage(index: number, error: IngestError): IngestError {
  return { ...error, message: `Page ${index}: ${error.message}` };
}

/** Every page of a PDF, taken from its embedded scan or rendered, then prepared. */
export async function preparePdf(
  source: SourceFile,
  decideRoles: (pageCount: number) => PreparedPageRole[],
  options: PrepareOptions,
  cancel: Cancellation,
): Promise<Result<PreparedPage[], IngestError>> {
  let bytes: Uint8Array | null = await readFile(fsPath(source.path));
  throwIfCancelled(cancel);
  const log: MupdfMessage[] = [];
  const opened = openPdf(bytes, options, log);
  bytes = null; // MuPDF holds its own copy
  if (!opened.ok) return opened;
  const { document, pageCount } = opened.value;
  try {
    const roles = decideRoles(pageCount);
    const averageBytes = Math.round(source.bytes / pageCount);
    const pages: PreparedPage[] = [];
    for (let i = 0; i < pageCount; i++) {
      throwIfCancelled(cancel);
      const started = performance.now();
      const role = roles[i] ?? "unknown";
      const wanted = isPageSent(role, options.includeSignaturePages);
      const pageLog: MupdfMessage[] = [];
      let taken: Result<PageSource, IngestError>;
      try {
        taken = withMupdfLog(pageLog, () => {
          const page = document.loadPage(i);
          try {
            return takePage(page, options, wanted);
          } finally {
            page.destroy();
          }
        });
      } catch (thrown) {
        return err(onPage(i + 1, damaged(errorMessage(thrown))));
      }
      const damage = damageIn(pageLog);
      if (damage) return err(onPage(i + 1, damaged(damage)));
      if (!taken.ok) return err(onPage(i + 1, taken.error));
      const pageSource = taken.value;
      const base = {
        index: i + 1,
        role,
        sourceWidth: pageSource.width,
        sourceHeight: pageSource.height,
        sourceBytes: pageSource.method === "pdf-embedded-jpeg" ? pageSource.jpeg.length : averageBytes,
        method: pageSource.method as PageSourceMethod,
      };
      if (!wanted) {
        pages.push({ ...base, jpeg: null, width: 0, height: 0, elapsedMs: performance.now() - started });
        continue;
      }
      try {
        const encoded = await encodeSource(pageSource, options);
        pages.push({ ...base, ...encoded, elapsedMs: performance.now() - started });
      } catch (thrown) {
        return err(onPage(i + 1, damaged(errorMessage(thrown))));
      }
    }
    return ok(pages);
  } finally {
    document.destroy();
  }
}
