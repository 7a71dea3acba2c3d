import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import type { SynthTruthLine } from "../../../src/synth/generate.js";
import { generate518Pages } from "../../support/local-fixtures.js";
import { createCellCropPool } from "../../../src/local/cell-crop-pool.js";
import {
  cellKeyOfField,
  cutCrop,
  fieldOfCellKey,
  layoutBoxToSource,
  locatePageCells,
  type PageCells,
  regionFor,
  workSize,
} from "../../../src/local/cell-crops.js";
import { rotateGray } from "../../../src/local/image/gray-image.js";

/** Dark pixels' bounding box of a greyscale raster. */
function inkBox(image: { width: number; height: number; data: Uint8Array }): { x0: number; y0: number; x1: number; y1: number } {
  let x0 = image.width;
  let y0 = image.height;
  let x1 = 0;
  let y1 = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (image.data[y * image.width + x]! < 100) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x + 1);
        y1 = Math.max(y1, y + 1);
      }
    }
  }
  return { x0, y0, x1, y1 };
}

function pageWithSquare(width: number, height: number, square: { x: number; y: number; size: number }) {
  const data = new Uint8Array(width * height).fill(255);
  for (let y = square.y; y < square.y + square.size; y++) data.fill(0, y * width + square.x, y * width + square.x + square.size);
  return { width, height, data };
}

describe("cell boxes on the source page", () => {
  it("undoes the levelling rotation and the work scale", async () => {
    // The layout works at 1200 px wide on the page rotated by -skew; the source is 2400 px wide.
    const work = pageWithSquare(1200, 1700, { x: 900, y: 1300, size: 20 });
    for (const skew of [0, 2.5, -4]) {
      const levelled = skew === 0 ? work : await rotateGray(work, -skew);
      const found = inkBox(levelled);
      const mapped = layoutBoxToSource(
        found,
        { gray: levelled, skewDegrees: skew },
        { width: 1200, height: 1700 },
        { width: 2400, height: 3400 },
      );
      const centreX = (mapped.x0 + mapped.x1) / 2;
      const centreY = (mapped.y0 + mapped.y1) / 2;
      expect(Math.abs(centreX - 1820)).toBeLessThan(6);
      expect(Math.abs(centreY - 2620)).toBeLessThan(6);
    }
  });

  it("works at the layout's own width, never enlarging more than 1.5x", () => {
    expect(workSize({ width: 2480, height: 3508 })).toEqual({ width: 1200, height: 1697 });
    expect(workSize({ width: 600, height: 800 })).toEqual({ width: 900, height: 1200 });
  });

  const box = (y0: number) => ({ x0: 100, y0, x1: 200, y1: y0 + 40 });
  const placed = (row: number, y0: number) =>
    [
      `row:${row}`,
      {
        key: `row:${row}`,
        page: 1,
        kind: "layout",
        digits: box(y0),
        words: { x0: 200, y0, x1: 500, y1: y0 + 40 },
        line: { x0: 100, y0, x1: 500, y1: y0 + 40 },
      },
    ] as const;
  const page: PageCells = {
    page: 1,
    width: 1000,
    height: 1400,
    role: "constituency_1",
    cells: new Map([placed(1, 100), placed(2, 150), placed(4, 250), placed(5, 300)]),
  };

  it("uses the layout's box where it placed the cell", () => {
    const region = regionFor([page], "row:2");
    expect(region.kind).toBe("layout");
    expect(region.digits).toEqual(box(150));
  });

  it("falls back to the region between the neighbouring rows", () => {
    const region = regionFor([page], "row:3");
    expect(region.kind).toBe("between_rows");
    // Row 2 ends at 190, row 4 starts at 250: the slot lies between them (with a little margin).
    expect(region.line.y0).toBeGreaterThanOrEqual(170);
    expect(region.line.y0).toBeLessThanOrEqual(190);
    expect(region.line.y1).toBeGreaterThanOrEqual(250);
    expect(region.line.y1).toBeLessThanOrEqual(275);
    expect(region.digits.x1).toBe(200);
    expect(region.words?.x0).toBe(200);
  });

  it("falls back to the whole page where no layout exists", () => {
    const bare: PageCells = { page: 2, width: 800, height: 1000, role: null, cells: new Map() };
    const region = regionFor([bare], "good");
    expect(region).toMatchObject({ kind: "page", page: 2, digits: { x0: 0, y0: 0, x1: 800, y1: 1000 }, words: null });
    expect(regionFor([page, bare], null, 2).page).toBe(2);
  });

  it("names the result field of each layout cell and back", () => {
    expect(fieldOfCellKey("row:7")).toBe("votes.7");
    expect(fieldOfCellKey("noVote")).toBe("totals.noVote");
    expect(fieldOfCellKey("voteTotal")).toBe("totals.voteTotal");
    expect(cellKeyOfField("totals.ballotsUsed")).toBe("ballotsUsed");
    expect(cellKeyOfField("votes.12")).toBe("row:12");
    expect(cellKeyOfField("totals.eligibleVoters")).toBeNull();
  });

  it("cuts a JPEG crop of the box, with a margin", async () => {
    const source = await sharp({ create: { width: 600, height: 400, channels: 3, background: "#ffffff" } })
      .composite([{ input: { create: { width: 50, height: 30, channels: 3, background: "#000000" } }, left: 300, top: 200 }])
      .jpeg()
      .toBuffer();
    const crop = await cutCrop(source, { x0: 300, y0: 200, x1: 350, y1: 230 }, { margin: 0.5 });
    const meta = await sharp(crop).metadata();
    expect(meta.format).toBe("jpeg");
    expect(meta.width).toBe(50 + 2 * 15);
    expect(meta.height).toBe(30 + 2 * 15);
  });
});

describe("cell crops of a generator page", () => {
  it("places every vote row's digits left of its words, top to bottom, on the full-resolution page", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cell-crops-"));
    try {
      const [line] = (await generate518Pages(dir)) as [SynthTruthLine];
      const full = readFileSync(join(dir, line.path));
      const meta = await sharp(full).metadata();
      // The layout reads a half-size rendering; the boxes are for the full-size one.
      const half = await sharp(full)
        .resize(Math.round(meta.width! / 2))
        .jpeg()
        .toBuffer();
      const page = await locatePageCells(1, half, { width: meta.width!, height: meta.height! });
      expect(page.role).toBe("constituency_1");
      const rows = Array.from({ length: 10 }, (_, i) => regionFor([page], `row:${i + 1}`));
      for (const [i, region] of rows.entries()) {
        expect(region.kind).toBe("layout");
        expect(region.words).not.toBeNull();
        expect(region.digits.x1).toBeLessThanOrEqual(region.words!.x0 + 2);
        if (i > 0) expect(region.line.y0).toBeGreaterThanOrEqual(rows[i - 1]!.line.y1 - 4);
        expect(region.line.x1).toBeLessThanOrEqual(meta.width!);
      }
      // A crop of a row with votes shows ink; it is a JPEG about the cell's size.
      const written = line.truth.votes.find((v) => (v.value ?? 0) > 0)!;
      const region = regionFor([page], `row:${written.number}`);
      const crop = await cutCrop(full, region.digits);
      const stats = await sharp(crop).stats();
      expect(stats.channels[0]!.min).toBeLessThan(100);
      for (const key of ["good", "bad", "noVote"] as const) expect(regionFor([page], key).words).not.toBeNull();

      // The same on a worker thread, with a whole-page fallback for a field without a layout cell.
      const pool = createCellCropPool();
      try {
        const cut = await pool.crop([{ page: 1, data: full }], [{ key: `row:${written.number}` }, { key: null, pageHint: 1 }]);
        expect(cut.crops.map((c) => c.region.kind)).toEqual(["layout", "page"]);
        expect((await sharp(Buffer.from(cut.crops[0]!.digits)).metadata()).format).toBe("jpeg");
        expect(cut.crops[0]!.words).not.toBeNull();
        expect(cut.crops[1]!.words).toBeNull();
      } finally {
        await pool.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
