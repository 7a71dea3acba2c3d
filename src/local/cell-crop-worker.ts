import type { Box } from "./image/gray-image.js";
import { type CellRegion, cutCrops, locatePageCells, type PageCells, regionFor } from "./cell-crops.js";
import type { CellKey } from "./layout/page-layout.js";

export interface CellCropRequest {
  /** null for a field the layout has no cell for: a whole-page region. */
  readonly key: CellKey | null;
  /** The page the result says the cell is on, when it says. */
  readonly pageHint?: number;
}

export interface CellCropTask {
  /** The document's count pages at full resolution; structured cloning makes each a Uint8Array. */
  readonly pages: readonly { readonly page: number; readonly data: Uint8Array }[];
  readonly requests: readonly CellCropRequest[];
  /** Long side of each crop, default 1200. */
  readonly maxLongSide?: number;
}

export interface CellCrop {
  readonly region: CellRegion;
  readonly digits: Uint8Array;
  /** null when the words were not located. */
  readonly words: Uint8Array | null;
}

export interface CellCropTaskResult {
  readonly pages: readonly PageCells[];
  readonly crops: readonly CellCrop[];
}

/** Worker-thread entry (piscina, by name): lays out every page, then cuts the requested cells' crops. */
export async function cellCropTask(task: CellCropTask): Promise<CellCropTaskResult> {
  const buffers = new Map(task.pages.map((p) => [p.page, Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength)]));
  const pages: PageCells[] = [];
  for (const [page, bytes] of buffers) pages.push(await locatePageCells(page, bytes));
  if (pages.length === 0) return { pages, crops: [] };
  const regions = task.requests.map((r) => regionFor(pages, r.key, r.pageHint));
  const options = task.maxLongSide !== undefined ? { maxLongSide: task.maxLongSide } : {};
  const crops: CellCrop[] = regions.map((region) => ({ region, digits: new Uint8Array(), words: null }));
  for (const [page, bytes] of buffers) {
    const mine = regions.flatMap((region, i) => (region.page === page ? [i] : []));
    const boxes: Box[] = mine.flatMap((i) => [regions[i]!.digits, regions[i]!.words ?? regions[i]!.digits]);
    const cut = await cutCrops(bytes, boxes, options);
    mine.forEach((i, n) => {
      const region = regions[i]!;
      crops[i] = { region, digits: cut[2 * n]!, words: region.words ? cut[2 * n + 1]! : null };
    });
  }
  return { pages, crops };
}
