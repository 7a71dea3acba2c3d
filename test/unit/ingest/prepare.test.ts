import { join } from "node:path";
import * as mupdf from "mupdf";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  blankPdf,
  exifRotatedJpeg,
  hugeHeaderPng,
  makePdf,
  makeTempDir,
  multiPageTiff,
  pageImage,
  removeDir,
  scanLikePng,
  writeFixture,
} from "../../fixtures/ingest/fixtures.js";
import { discoverDocuments } from "../../../src/ingest/discover.js";
import { DEFAULT_PREPARE_OPTIONS, prepareDocument } from "../../../src/ingest/prepare.js";
import type { DiscoveredDocument, PreparedPage, PrepareOptions, PrepareResult } from "../../../src/ingest/types.js";

const never = new AbortController().signal;
let root: string;
const paths: Record<string, string> = {};
const pdfBytes: Record<string, Buffer> = {};

async function docAt(name: string): Promise<DiscoveredDocument> {
  const path = paths[name] as string;
  const { documents, rejected } = await discoverDocuments([path]);
  expect(rejected).toEqual([]);
  return documents[0] as DiscoveredDocument;
}

async function prepare(name: string, options: Partial<PrepareOptions> = {}): Promise<PrepareResult> {
  return prepareDocument(await docAt(name), { ...DEFAULT_PREPARE_OPTIONS, ...options }, never);
}

function pagesOf(result: PrepareResult): PreparedPage[] {
  if (!result.ok) throw new Error(`expected pages, got ${JSON.stringify(result.error)}`);
  return [...result.value];
}

function errorOf(result: PrepareResult) {
  if (result.ok) throw new Error("expected an error");
  return result.error;
}

/** Mean grey level of a region, as fractions of the image size. */
async function meanGrey(jpeg: Buffer, region: { left: number; top: number; width: number; height: number }) {
  const { width = 0, height = 0 } = await sharp(jpeg).metadata();
  const left = Math.floor(region.left * width);
  const top = Math.floor(region.top * height);
  const cropped = await sharp(jpeg)
    .extract({
      left,
      top,
      width: Math.min(Math.round(region.width * width), width - left),
      height: Math.min(Math.round(region.height * height), height - top),
    })
    .png()
    .toBuffer();
  const { channels } = await sharp(cropped).stats(); // stats() reads its input, so crop first
  return channels[0]?.mean ?? Number.NaN;
}

beforeAll(async () => {
  root = await makeTempDir();
  const scanJpeg = await pageImage(1240, 1754, "jpeg");
  const sidewaysJpeg = await pageImage(1754, 1240, "jpeg");
  const png = await pageImage(600, 800, "png");
  const jpeg = await pageImage(600, 800, "jpeg");
  pdfBytes["scan"] = await makePdf([{ image: scanJpeg }, { image: scanJpeg }]);
  pdfBytes["rotated"] = await makePdf([{ image: sidewaysJpeg, rotate: 90 }]);
  pdfBytes["vector"] = await makePdf([{ text: "5/18 vector page" }]);
  pdfBytes["png-scan"] = await makePdf([{ image: await pageImage(620, 877, "png") }]);
  const files: Record<string, Buffer | string> = {
    "scan.png": await scanLikePng(),
    "exif.jpg": await exifRotatedJpeg(300, 200),
    "alpha.png": await sharp({ create: { width: 120, height: 80, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer(),
    "truncated.png": png.subarray(0, Math.floor(png.length / 2)),
    "truncated.jpg": jpeg.subarray(0, Math.floor(jpeg.length / 2)),
    "huge.png": hugeHeaderPng(20000, 20000),
    "three.tif": await multiPageTiff(3),
    "four.tif": await multiPageTiff(4),
    "scan.pdf": pdfBytes["scan"],
    "rotated.pdf": pdfBytes["rotated"],
    "vector.pdf": pdfBytes["vector"],
    "png-scan.pdf": pdfBytes["png-scan"],
    "encrypted.pdf": await makePdf([{ text: "secret" }], { userPassword: "secret" }),
    "damaged.pdf": pdfBytes["scan"].subarray(0, Math.floor(pdfBytes["scan"].length * 0.6)),
    "garbage.pdf": "%PDF-1.7\nthis is not really a pdf at all\n",
    "many.pdf": await blankPdf(500),
  };
  for (const [name, data] of Object.entries(files)) {
    paths[name] = await writeFixture(join(root, name), data);
  }
});

afterAll(() => removeDir(root));

describe("prepareDocument: images", () => {
  it("brings a 2480×3509 PNG scan of several MB well under 500 KB, one grey channel", async () => {
    const [page] = pagesOf(await prepare("scan.png"));
    expect(page?.sourceBytes).toBeGreaterThan(3_500_000);
    expect([page?.sourceWidth, page?.sourceHeight]).toEqual([2480, 3509]);
    expect([page?.width, page?.height]).toEqual([1272, 1800]);
    expect(page?.jpeg?.length).toBeLessThan(500_000);
    const metadata = await sharp(page?.jpeg as Buffer).metadata();
    expect([metadata.format, metadata.channels]).toEqual(["jpeg", 1]);
  });

  it("applies EXIF orientation: the sideways-stored JPEG comes out upright", async () => {
    const [page] = pagesOf(await prepare("exif.jpg"));
    expect([page?.width, page?.height]).toEqual([300, 200]);
    const jpeg = page?.jpeg as Buffer;
    expect(await meanGrey(jpeg, { left: 0, top: 0, width: 1, height: 0.2 })).toBeLessThan(40);
    expect(await meanGrey(jpeg, { left: 0, top: 0.5, width: 1, height: 0.5 })).toBeGreaterThan(215);
  });

  it("flattens transparency onto white", async () => {
    const [page] = pagesOf(await prepare("alpha.png"));
    expect(await meanGrey(page?.jpeg as Buffer, { left: 0, top: 0, width: 1, height: 1 })).toBeGreaterThan(250);
  });

  it("refuses truncated images with a clear error", async () => {
    for (const name of ["truncated.png", "truncated.jpg"]) {
      const error = errorOf(await prepare(name));
      expect(error.code).toBe("corrupt_image");
      expect(error.message).toMatch(/truncated or corrupt/);
    }
  });

  it("refuses a 20000×20000 image from its header, before decoding, quickly", async () => {
    const started = performance.now();
    const error = errorOf(await prepare("huge.png"));
    expect(error.code).toBe("image_too_large");
    expect(error.message).toContain("20000×20000");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("reads every page of a multi-page TIFF, and treats 4 pages as a party-list form", async () => {
    const three = pagesOf(await prepare("three.tif"));
    expect(three.map((p) => [p.index, p.role, p.jpeg !== null])).toEqual([
      [1, "unknown", true],
      [2, "unknown", true],
      [3, "unknown", true],
    ]);
    const four = pagesOf(await prepare("four.tif"));
    expect(four.map((p) => [p.role, p.jpeg !== null])).toEqual([
      ["counts", true],
      ["counts", true],
      ["counts", true],
      ["signatures", false],
    ]);
    expect(four[3]?.sourceWidth).toBe(300);
  });
});

describe("prepareDocument: PDFs", () => {
  it("passes a scanned page's JPEG through, and does not send the signature page", async () => {
    const pages = pagesOf(await prepare("scan.pdf"));
    expect(pages.map((p) => [p.index, p.role, p.method, p.jpeg !== null])).toEqual([
      [1, "counts", "pdf-embedded-jpeg", true],
      [2, "signatures", "pdf-embedded-jpeg", false],
    ]);
    expect([pages[0]?.sourceWidth, pages[0]?.sourceHeight]).toEqual([1240, 1754]);
    expect(pages[1]?.sourceBytes).toBeGreaterThan(0);
    expect([pages[0]?.width, pages[0]?.height]).toEqual([1240, 1754]);

    const all = pagesOf(await prepare("scan.pdf", { includeSignaturePages: true }));
    expect(all.every((p) => p.jpeg !== null)).toBe(true);
    const hinted = pagesOf(await prepare("scan.pdf", { formKindHint: "party_list" }));
    expect(hinted.map((p) => p.role)).toEqual(["unknown", "unknown"]);
  });

  it("turns a sideways-placed scan the way a viewer shows it", async () => {
    const [page] = pagesOf(await prepare("rotated.pdf"));
    expect(page?.method).toBe("pdf-embedded-jpeg");
    expect((page?.height ?? 0) > (page?.width ?? 0)).toBe(true);
    // The image's dark top band is drawn on the right of the page: compare with MuPDF's rendering.
    const document = mupdf.Document.openDocument(pdfBytes["rotated"] as Buffer, "application/pdf");
    const rendered = document.loadPage(0).toPixmap(mupdf.Matrix.scale(0.25, 0.25), mupdf.ColorSpace.DeviceGray, false);
    const width = rendered.getWidth();
    const height = rendered.getHeight();
    const renderedPng = await sharp(Buffer.from(rendered.getPixels()), { raw: { width, height, channels: 1 } })
      .png()
      .toBuffer();
    rendered.destroy();
    document.destroy();
    const jpeg = page?.jpeg as Buffer;
    expect(await meanGrey(jpeg, { left: 0.8, top: 0, width: 0.2, height: 1 })).toBeLessThan(40);
    expect(await meanGrey(jpeg, { left: 0, top: 0, width: 0.6, height: 1 })).toBeGreaterThan(215);
    expect(await meanGrey(renderedPng, { left: 0.8, top: 0, width: 0.2, height: 1 })).toBeLessThan(40);
  });

  it("decodes a scanned page that is not a plain JPEG with MuPDF, without rendering the page", async () => {
    const [page] = pagesOf(await prepare("png-scan.pdf"));
    expect(page?.method).toBe("pdf-embedded-image");
    expect([page?.width, page?.height]).toEqual([620, 877]);
    const jpeg = page?.jpeg as Buffer;
    expect(await meanGrey(jpeg, { left: 0, top: 0, width: 1, height: 0.2 })).toBeLessThan(40);
    expect(await meanGrey(jpeg, { left: 0, top: 0.5, width: 1, height: 0.5 })).toBeGreaterThan(215);
  });

  it("renders a page that is not a single scan", async () => {
    const [page] = pagesOf(await prepare("vector.pdf"));
    expect(page?.method).toBe("pdf-render");
    expect(page?.height).toBe(1800);
    expect(await meanGrey(page?.jpeg as Buffer, { left: 0, top: 0, width: 1, height: 1 })).toBeLessThan(255);
  });

  it("refuses encrypted, damaged and non-PDF files with clear errors", async () => {
    const encrypted = errorOf(await prepare("encrypted.pdf"));
    expect(encrypted.code).toBe("pdf_encrypted");
    expect(encrypted.message).toMatch(/password/);
    expect(errorOf(await prepare("damaged.pdf")).code).toBe("pdf_damaged");
    expect(errorOf(await prepare("garbage.pdf")).code).toBe("pdf_damaged");
  });

  it("refuses a 500-page PDF without rendering anything", async () => {
    const started = performance.now();
    const error = errorOf(await prepare("many.pdf"));
    expect(error.code).toBe("too_many_pages");
    expect(error.message).toContain("500 pages");
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("prepareDocument: a batch", () => {
  it("gives bad documents their own error while the others finish", async () => {
    const names = ["truncated.png", "scan.pdf", "encrypted.pdf", "exif.jpg", "huge.png", "many.pdf"];
    const results = await Promise.all(names.map((name) => prepare(name)));
    expect(results.map((r) => (r.ok ? "ok" : r.error.code))).toEqual([
      "corrupt_image",
      "ok",
      "pdf_encrypted",
      "ok",
      "image_too_large",
      "too_many_pages",
    ]);
  });

  it("rejects when cancelled", async () => {
    const controller = new AbortController();
    controller.abort(new Error("user cancelled"));
    await expect(prepareDocument(await docAt("scan.pdf"), DEFAULT_PREPARE_OPTIONS, controller.signal)).rejects.toThrow("user cancelled");
  });
});
