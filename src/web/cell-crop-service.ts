import { err, ok, type Result } from "../basics/result.js";
import type { FormResult } from "../forms/form-result.js";
import { createCellCropPool, type CellCropPool } from "../local/cell-crop-pool.js";
import { cellKeyOfField, type CellRegionKind } from "../local/cell-crops.js";
import { PageImages, VIEW_OPTIONS } from "./page-images.js";

/** Crops are cut from pages prepared this large: a typical A4 scan keeps its own resolution. */
const CROP_SOURCE_OPTIONS = { ...VIEW_OPTIONS, maxLongSide: 3200, jpegQuality: 90, includeSignaturePages: false };
/** Documents whose crops are kept (a reviewer goes back and forth over a few). */
const CACHED_DOCUMENTS = 24;
const CROP_TIMEOUT_MS = 60_000;

export type CropPart = "digits" | "words";

interface CellCrops {
  readonly kind: CellRegionKind;
  readonly page: number;
  readonly digits: Buffer;
  readonly words: Buffer | null;
}

type DocumentCrops = Result<ReadonlyMap<string, CellCrops>, string>;

/**
 * Crops of each number cell (its digits and its words) for the review view, cut from the uploaded
 * source at full resolution where the local layout places the cell, else from the region between
 * its neighbouring rows, else the whole page. Preparing runs in the prepare worker and layout and
 * cutting in the crop worker: nothing here decodes on the event loop. All of a document's crops
 * are cut at once, then served from memory.
 */
export class CellCropService {
  readonly #pages: PageImages;
  readonly #cache = new Map<string, Promise<DocumentCrops>>();
  #pool: CellCropPool | null = null;

  constructor(uploadsRoot: string) {
    this.#pages = new PageImages(uploadsRoot, CROP_SOURCE_OPTIONS);
  }

  /** Where a cell's crop is and how it was found, without the image (for the document view). */
  async describe(result: FormResult, field: string): Promise<Result<{ kind: CellRegionKind; page: number; words: boolean }, string>> {
    const crops = await this.#crops(result);
    if (!crops.ok) return crops;
    const found = crops.value.get(field);
    return found ? ok({ kind: found.kind, page: found.page, words: found.words !== null }) : err("no such cell");
  }

  async crop(result: FormResult, field: string, part: CropPart): Promise<Result<Buffer, string>> {
    const crops = await this.#crops(result);
    if (!crops.ok) return crops;
    const found = crops.value.get(field);
    if (!found) return err("no such cell");
    const image = part === "digits" ? found.digits : found.words;
    return image ? ok(image) : err("the words of this cell were not located");
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = null;
    await Promise.all([pool?.close(), this.#pages.close()]);
  }

  #crops(result: FormResult): Promise<DocumentCrops> {
    const id = result.document.id;
    const cached = this.#cache.get(id);
    if (cached) {
      this.#cache.delete(id);
      this.#cache.set(id, cached);
      return cached;
    }
    const made = this.#cut(result);
    this.#cache.set(id, made);
    void made.then((crops) => {
      if (!crops.ok && this.#cache.get(id) === made) this.#cache.delete(id);
    });
    while (this.#cache.size > CACHED_DOCUMENTS) this.#cache.delete(this.#cache.keys().next().value as string);
    return made;
  }

  async #cut(result: FormResult): Promise<DocumentCrops> {
    const rendered = await this.#pages.allPages(`${result.document.id}:crops`, result.document.sources);
    if (!rendered.ok) return rendered;
    const counts = new Set(result.document.pages.filter((p) => p.role === "counts").map((p) => p.index));
    const pages = rendered.value.flatMap((data, i) =>
      data !== null && (counts.size === 0 || counts.has(i + 1)) ? [{ page: i + 1, data }] : [],
    );
    if (pages.length === 0) return err("the document has no page to crop");
    const fields = [
      ...result.votes.map((row) => ({ field: `votes.${row.number}`, pageHint: row.page })),
      ...Object.entries(result.totals).flatMap(([key, cell]) => (cell ? [{ field: `totals.${key}`, pageHint: undefined }] : [])),
    ];
    this.#pool ??= createCellCropPool();
    const requests = fields.map((f) => ({ key: cellKeyOfField(f.field), ...(f.pageHint !== undefined ? { pageHint: f.pageHint } : {}) }));
    try {
      const cut = await this.#pool.crop(pages, requests, { signal: AbortSignal.timeout(CROP_TIMEOUT_MS) });
      const byField = new Map<string, CellCrops>();
      cut.crops.forEach((crop, i) => {
        byField.set(fields[i]!.field, {
          kind: crop.region.kind,
          page: crop.region.page,
          digits: Buffer.from(crop.digits),
          words: crop.words === null ? null : Buffer.from(crop.words),
        });
      });
      return ok(byField);
    } catch {
      return err("could not cut the cell crops");
    }
  }
}
