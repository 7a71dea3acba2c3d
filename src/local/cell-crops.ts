import sharp from "sharp";
import { rowNumberOf } from "../forms/evidence.js";
import { formLayout } from "../forms/form-kind.js";
import type { Box } from "./image/gray-image.js";
import type { CellRef } from "../verify/cells.js";
import { analyzePage, type CellKey, layoutTotalKey, type PageLayout, type PageRole, WORK_WIDTH } from "./layout/page-layout.js";

/**
 * Where each number cell sits on a source page, in that page's own pixels, and crops of it:
 * the digits part and the words part, for a reviewer or a focused re-ask.
 *
 * - "layout": the local layout found the cell;
 * - "between_rows": the page was laid out but this row was not placed, so the region between its
 *   neighbouring rows (interpolated by the row pitch) stands in;
 * - "page": no layout on the page (a photo, an unknown printing): the whole page.
 */
export type CellRegionKind = "layout" | "between_rows" | "page";

export interface CellRegion {
  /** null for a field the layout has no cell for (the 5/18 voter counts): always a whole page. */
  readonly key: CellKey | null;
  /** 1-based page of the document. */
  readonly page: number;
  readonly kind: CellRegionKind;
  /** In source-page pixels (after EXIF orientation), x1/y1 exclusive. */
  readonly digits: Box;
  /** null when the words were not located (the digits box then covers the whole line). */
  readonly words: Box | null;
  /** The whole line: digits and words together. */
  readonly line: Box;
}

export interface PageCells {
  readonly page: number;
  /** Size of the source page the boxes refer to. */
  readonly width: number;
  readonly height: number;
  readonly role: PageRole | null;
  /** Cells the layout placed. */
  readonly cells: ReadonlyMap<CellKey, CellRegion>;
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** Vote rows printed on each count page of the party-list form; constituency forms hold theirs on page 1. */
const PARTY_LIST_PAGE_ROWS = formLayout("party_list").flatMap((page) => (page.rows ? [page.rows] : []));

/**
 * The size the layout worked at for an analysed image of `analysed` size: `decodeGray` scales to
 * WORK_WIDTH (never enlarging more than 1.5x) before levelling.
 */
export function workSize(analysed: Size): Size {
  const width = Math.round(Math.min(WORK_WIDTH, analysed.width * 1.5));
  return { width, height: Math.round((analysed.height * width) / analysed.width) };
}

/**
 * Maps one box of a levelled layout back onto the source page: undo the levelling rotation
 * (sharp rotates about the centre and grows the canvas), then scale from the work size.
 * Returns the axis-aligned bounding box of the mapped corners, clamped to the page.
 */
export function layoutBoxToSource(box: Box, layout: Pick<PageLayout, "gray" | "skewDegrees">, work: Size, source: Size): Box {
  const levelled = { width: layout.gray.width, height: layout.gray.height };
  const rotated = levelled.width !== work.width || levelled.height !== work.height;
  // analyzePage rotated by -skew (clockwise positive, y down); invert that rotation.
  const theta = rotated ? (-layout.skewDegrees * Math.PI) / 180 : 0;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const sx = source.width / work.width;
  const sy = source.height / work.height;
  const corners = [
    [box.x0, box.y0],
    [box.x1, box.y0],
    [box.x0, box.y1],
    [box.x1, box.y1],
  ].map(([x, y]) => {
    const dx = x! - levelled.width / 2;
    const dy = y! - levelled.height / 2;
    const ox = dx * cos + dy * sin + work.width / 2;
    const oy = -dx * sin + dy * cos + work.height / 2;
    return [ox * sx, oy * sy] as const;
  });
  return clampBox(
    {
      x0: Math.floor(Math.min(...corners.map((c) => c[0]))),
      y0: Math.floor(Math.min(...corners.map((c) => c[1]))),
      x1: Math.ceil(Math.max(...corners.map((c) => c[0]))),
      y1: Math.ceil(Math.max(...corners.map((c) => c[1]))),
    },
    source,
  );
}

/** The cells of one laid-out page in source pixels; a page without layout has none. */
export function pageCellsFromLayout(layout: PageLayout | null, page: number, analysed: Size, source: Size): PageCells {
  const cells = new Map<CellKey, CellRegion>();
  if (layout !== null) {
    const work = workSize(analysed);
    for (const cell of layout.cells) {
      const digits = layoutBoxToSource(cell.box, layout, work, source);
      const words = cell.words ? layoutBoxToSource(cell.words, layout, work, source) : null;
      cells.set(cell.key, { key: cell.key, page, kind: "layout", digits, words, line: union(digits, words) });
    }
  }
  return { page, width: source.width, height: source.height, role: layout?.role ?? null, cells };
}

/**
 * Lays out one page and returns where its cells are on the source page. `layoutBytes` is the image
 * the layout reads (the prepared page is enough); `source` is the size of the image crops will be
 * cut from, when it is another rendering of the same page (defaults to the analysed image).
 * About a fifth of a second of CPU on the calling thread: batch and web code call it from a worker.
 */
export async function locatePageCells(page: number, layoutBytes: Buffer, source?: Size): Promise<PageCells> {
  const meta = await sharp(layoutBytes).metadata();
  const analysed = { width: meta.autoOrient?.width ?? meta.width ?? 1, height: meta.autoOrient?.height ?? meta.height ?? 1 };
  const layout = await analyzePage(layoutBytes, page);
  return pageCellsFromLayout(layout.ok ? layout.value : null, page, analysed, source ?? analysed);
}

/**
 * Where a cell is: its layout box; else, on a laid-out page that should hold the row, the region
 * between its neighbouring rows; else the whole page (`pageHint`, else the page that prints the
 * row, else page 1). `pages` are the document's pages in order.
 */
export function regionFor(pages: readonly PageCells[], key: CellKey | null, pageHint?: number): CellRegion {
  for (const page of pages) {
    const found = key === null ? undefined : page.cells.get(key);
    if (found) return found;
  }
  const row = key === null ? null : rowNumberOf(key);
  if (row !== null) {
    for (const page of pages) {
      const between = betweenRows(page, row);
      if (between) return between;
    }
  }
  const page = pages.find((p) => p.page === pageHint) ?? pages.find((p) => p.page === printedPageOf(row, pages)) ?? pages[0];
  if (!page) throw new Error("regionFor needs at least one page");
  const whole = { x0: 0, y0: 0, x1: page.width, y1: page.height };
  return { key, page: page.page, kind: "page", digits: whole, words: null, line: whole };
}

function printedPageOf(row: number | null, pages: readonly PageCells[]): number | undefined {
  if (row === null) return undefined;
  const partyList = pages.some((p) => p.role?.startsWith("party_list")) || pages.length >= 3;
  if (!partyList) return 1;
  const index = PARTY_LIST_PAGE_ROWS.findIndex(([first, last]) => row >= first && row <= last);
  return index < 0 ? undefined : index + 1;
}

/** The row's slot interpolated from the nearest placed rows on the same page, when the page holds that row. */
function betweenRows(page: PageCells, row: number): CellRegion | null {
  const rows = [...page.cells.values()]
    .map((cell) => ({ cell, number: cell.key === null ? null : rowNumberOf(cell.key) }))
    .filter((r): r is { cell: CellRegion; number: number } => r.number !== null)
    .sort((a, b) => a.number - b.number);
  if (rows.length < 2) return null;
  const first = rows[0]!.number;
  const last = rows[rows.length - 1]!.number;
  const span = PARTY_LIST_PAGE_ROWS.find(([a, b]) => first >= a && last <= b) ?? [first, last];
  if (row < span[0] || row > span[1]) return null;
  const above = [...rows].reverse().find((r) => r.number < row) ?? null;
  const below = rows.find((r) => r.number > row) ?? null;
  const pitch = (rows[rows.length - 1]!.cell.line.y0 - rows[0]!.cell.line.y0) / Math.max(1, last - first);
  const x0 = Math.min(...rows.map((r) => r.cell.line.x0));
  const x1 = Math.max(...rows.map((r) => r.cell.line.x1));
  const digitsRight = Math.max(...rows.map((r) => r.cell.digits.x1));
  let y0: number;
  let y1: number;
  if (above && below) {
    // The row's slot interpolated between its neighbours; next to a neighbour, up to its rule.
    const step = (below.cell.line.y0 - above.cell.line.y0) / (below.number - above.number);
    const slotTop = above.cell.line.y0 + step * (row - above.number);
    y0 = above.number === row - 1 ? above.cell.line.y1 : slotTop;
    y1 = below.number === row + 1 ? below.cell.line.y0 : slotTop + step;
  } else if (above) {
    y0 = above.cell.line.y0 + pitch * (row - above.number);
    y1 = y0 + pitch;
  } else {
    y0 = below!.cell.line.y0 - pitch * (below!.number - row);
    y1 = y0 + pitch;
  }
  // A little above and below: an unplaced row is where the layout was unsure.
  const pad = pitch * 0.25;
  const line = clampBox({ x0, y0: Math.floor(y0 - pad), x1, y1: Math.ceil(y1 + pad) }, page);
  const digits = clampBox({ ...line, x1: digitsRight }, page);
  const words = clampBox({ ...line, x0: digitsRight }, page);
  return { key: `row:${row}`, page: page.page, kind: "between_rows", digits, words, line };
}

export interface CropOptions {
  /** Crops larger than this on the long side are scaled down. Default 1200. */
  readonly maxLongSide?: number;
  /** JPEG quality, default 85. */
  readonly quality?: number;
  /** Extra source pixels on each side, as a share of the box height (handwriting crosses the rules). Default 0.15. */
  readonly margin?: number;
}

/**
 * Cuts JPEG crops from one source page image, decoding it once. sharp decodes and encodes on
 * libvips' own threads, so the event loop stays free.
 */
export async function cutCrops(sourceBytes: Buffer, boxes: readonly Box[], options: CropOptions = {}): Promise<Buffer[]> {
  const { data, info } = await sharp(sourceBytes, { limitInputPixels: 200_000_000 })
    .autoOrient()
    .flatten({ background: "#ffffff" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
  const size = { width: info.width, height: info.height };
  const longSide = options.maxLongSide ?? 1200;
  return Promise.all(
    boxes.map((box) => {
      const margin = Math.round((box.y1 - box.y0) * (options.margin ?? 0.15));
      const padded = clampBox({ x0: box.x0 - margin, y0: box.y0 - margin, x1: box.x1 + margin, y1: box.y1 + margin }, size);
      return sharp(data, raw)
        .extract({ left: padded.x0, top: padded.y0, width: padded.x1 - padded.x0, height: padded.y1 - padded.y0 })
        .resize(longSide, longSide, { fit: "inside", withoutEnlargement: true })
        .jpeg({ quality: options.quality ?? 85 })
        .toBuffer();
    }),
  );
}

/** One crop: see `cutCrops`. */
export async function cutCrop(sourceBytes: Buffer, box: Box, options: CropOptions = {}): Promise<Buffer> {
  const [crop] = await cutCrops(sourceBytes, [box], options);
  return crop!;
}

/** The result field a layout cell holds: `votes.N` (printed row) or `totals.<key>` (layout cells use the forms' keys). */
export function fieldOfCellKey(key: CellKey): string {
  const row = rowNumberOf(key);
  return row !== null ? `votes.${row}` : `totals.${key}`;
}

/** The layout cell of a result field (`votes.N` or `totals.<key>`), or null when the layout has no such cell. */
export function cellKeyOfField(field: string): CellKey | null {
  const [group, name] = field.split(".");
  if (group === "votes" && name !== undefined && /^\d+$/.test(name)) return `row:${Number(name)}`;
  if (group !== "totals" || name === undefined) return null;
  return layoutTotalKey(name);
}

/** The layout cell of a form cell, or null when the layout has no such cell (the 5/18 voter counts). */
export function cellKeyOfRef(ref: CellRef): CellKey | null {
  return ref.kind === "row" ? `row:${ref.number}` : layoutTotalKey(ref.key);
}

function union(a: Box, b: Box | null): Box {
  if (b === null) return a;
  return { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) };
}

function clampBox(box: Box, size: Size): Box {
  const x0 = Math.max(0, Math.min(size.width - 1, Math.round(box.x0)));
  const y0 = Math.max(0, Math.min(size.height - 1, Math.round(box.y0)));
  return {
    x0,
    y0,
    x1: Math.max(x0 + 1, Math.min(size.width, Math.round(box.x1))),
    y1: Math.max(y0 + 1, Math.min(size.height, Math.round(box.y1))),
  };
}
