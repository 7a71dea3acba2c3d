import { describe, expect, it } from "vitest";
import type { BinaryImage } from "../image/gray-image.js";
import { segmentCell } from "./segment-cell.js";

const W = 240;
const H = 60;
const BASELINE = 46;

function page(draw: (set: (x: number, y: number) => void) => void): BinaryImage {
  const data = new Uint8Array(W * H);
  draw((x, y) => {
    data[y * W + x] = 1;
  });
  return { width: W, height: H, data };
}

/** A dotted baseline, a handwritten ring ("0") above it, and optionally a stretch where the dots ran together. */
function cell(mergedDots: boolean, dash: boolean, underline = false): BinaryImage {
  return page((set) => {
    for (let x = 10; x < 230; x += 6) {
      if (mergedDots && x >= 90 && x < 150) continue;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ])
        set(x + dx!, BASELINE + dy!);
    }
    if (mergedDots) for (let x = 90; x < 150; x++) for (let y = BASELINE - 1; y <= BASELINE + 2; y++) set(x, y);
    for (let a = 0; a < 360; a += 2) {
      const r = (a * Math.PI) / 180;
      for (const t of [0, 1, 2]) set(Math.round(40 + (9 - t / 2) * Math.cos(r)), Math.round(28 + (14 - t / 2) * Math.sin(r)));
    }
    if (dash) for (let x = 150; x < 175; x++) for (let y = 26; y <= 29; y++) set(x, y);
    if (underline) for (let x = 100; x < 180; x++) for (let y = BASELINE + 5; y <= BASELINE + 6; y++) set(x, y);
  });
}

describe("segmentCell", () => {
  it("takes dots that ran together on the baseline for print, not for a mark", () => {
    const box = { x0: 5, y0: 5, x1: 235, y1: 55 };
    expect(segmentCell(cell(false, false), box, 50).glyphs).toHaveLength(1);
    expect(segmentCell(cell(true, false), box, 50).glyphs).toHaveLength(1);
  });

  it("takes a flat line under the dots (bleed-through, a rule's shadow) for print too", () => {
    const box = { x0: 5, y0: 5, x1: 235, y1: 55 };
    expect(segmentCell(cell(false, false, true), box, 50).glyphs).toHaveLength(1);
  });

  it("keeps a flat stroke above the baseline (a dash is written, not printed)", () => {
    const box = { x0: 5, y0: 5, x1: 235, y1: 55 };
    expect(segmentCell(cell(true, true), box, 50).glyphs).toHaveLength(2);
  });
});
