import { readFile } from "node:fs/promises";
import * as mupdf from "mupdf";
import sharp, { type Sharp } from "sharp";
import type { PageImage } from "../../src/local/local-reader.js";

const LONG_SIDE = 1800;
const JPEG_QUALITY = 82;

/**
 * A document's count pages as ingest prepares them for a provider (long side 1800 px, grey
 * JPEG q82), so an evaluation sees what a run would: page 1 of a constituency form, pages 1-3
 * of a party-list form.
 */
export async function renderCountPages(file: string, kind: "constituency" | "party_list"): Promise<PageImage[]> {
  const bytes = await readFile(file);
  if (!file.toLowerCase().endsWith(".pdf")) return [{ page: 1, data: await toPreparedJpeg(sharp(bytes)) }];
  const doc = mupdf.Document.openDocument(bytes, "application/pdf");
  const countPages = Math.min(doc.countPages(), kind === "constituency" ? 1 : 3);
  const pages: PageImage[] = [];
  for (let i = 0; i < countPages; i++) {
    const page = doc.loadPage(i);
    const [x0, y0, x1, y1] = page.getBounds();
    const scale = LONG_SIDE / Math.max(x1 - x0, y1 - y0);
    const pixmap = page.toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceGray, false, true);
    const raw = sharp(Buffer.from(pixmap.getPixels()), {
      raw: { width: pixmap.getWidth(), height: pixmap.getHeight(), channels: 1 },
    });
    pages.push({ page: i + 1, data: await toPreparedJpeg(raw) });
    pixmap.destroy();
    page.destroy();
  }
  doc.destroy();
  return pages;
}

function toPreparedJpeg(image: Sharp): Promise<Buffer> {
  return image
    .resize({ width: LONG_SIDE, height: LONG_SIDE, fit: "inside", withoutEnlargement: true })
    .grayscale()
    .jpeg({ quality: JPEG_QUALITY })
    .toBuffer();
}
