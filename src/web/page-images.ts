import { readFile, realpath } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { err, ok, type Result } from "../basics/result.js";

const MAX_LONG_SIDE = 1600;
const CACHE_ENTRIES = 40;
const PARALLEL_RENDERS = 2;
const PDF_DPI = 110;

/**
 * Page images for the document view, rendered on demand from the uploaded source files.
 * Only files inside the uploads folder are ever read; renders are bounded in size,
 * run two at a time and the last few are cached.
 */
export class PageImages {
  readonly #cache = new Map<string, Buffer>();
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(private readonly root: string) {}

  /** page is 1-based; sources are in page order (one PDF/TIFF, or one image per page). */
  async render(sources: readonly string[], page: number): Promise<Result<Buffer, string>> {
    const located = locate(sources, page);
    if (located === null) return err("no such page");
    const file = await this.#inside(located.file);
    if (!file.ok) return file;
    const key = `${file.value}#${located.index}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return ok(cached);
    await this.#acquire();
    try {
      const image = await renderPage(file.value, located.index);
      if (!image.ok) return image;
      this.#cache.set(key, image.value);
      if (this.#cache.size > CACHE_ENTRIES) this.#cache.delete(this.#cache.keys().next().value as string);
      return image;
    } finally {
      this.#release();
    }
  }

  async #inside(file: string): Promise<Result<string, string>> {
    const root = await realpath(this.root).catch(() => path.resolve(this.root));
    const real = await realpath(path.resolve(this.root, file)).catch(() => null);
    if (real === null) return err("source file not found");
    if (!real.startsWith(root + path.sep)) return err("source file is not an uploaded file");
    return ok(real);
  }

  async #acquire(): Promise<void> {
    if (this.#active < PARALLEL_RENDERS) {
      this.#active += 1;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#active -= 1;
  }
}

function locate(sources: readonly string[], page: number): { file: string; index: number } | null {
  if (!Number.isInteger(page) || page < 1) return null;
  if (sources.length > 1) {
    const file = sources[page - 1];
    return file === undefined ? null : { file, index: 0 };
  }
  const file = sources[0];
  return file === undefined ? null : { file, index: page - 1 };
}

async function renderPage(file: string, index: number): Promise<Result<Buffer, string>> {
  const bytes = await readFile(file);
  try {
    if (bytes.subarray(0, 5).toString("latin1") === "%PDF-") return await renderPdfPage(bytes, index);
    const pages = (await sharp(bytes, { limitInputPixels: 200_000_000 }).metadata()).pages ?? 1;
    if (index >= pages) return err("no such page");
    const image = await sharp(bytes, { page: index, limitInputPixels: 200_000_000 })
      .rotate()
      .resize(MAX_LONG_SIDE, MAX_LONG_SIDE, { fit: "inside", withoutEnlargement: true })
      .flatten({ background: "#ffffff" })
      .jpeg({ quality: 80 })
      .toBuffer();
    return ok(image);
  } catch {
    return err("could not render this page");
  }
}

async function renderPdfPage(bytes: Buffer, index: number): Promise<Result<Buffer, string>> {
  const mupdf = await import("mupdf");
  const doc = mupdf.Document.openDocument(bytes, "application/pdf");
  try {
    if (index >= doc.countPages()) return err("no such page");
    const page = doc.loadPage(index);
    const scale = PDF_DPI / 72;
    const pixmap = page.toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceRGB, false, true);
    try {
      const png = Buffer.from(pixmap.asPNG());
      const jpeg = await sharp(png)
        .resize(MAX_LONG_SIDE, MAX_LONG_SIDE, { fit: "inside", withoutEnlargement: true })
        .jpeg({ quality: 80 })
        .toBuffer();
      return ok(jpeg);
    } finally {
      pixmap.destroy();
      page.destroy();
    }
  } finally {
    doc.destroy();
  }
}
