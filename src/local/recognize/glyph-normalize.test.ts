import { describe, expect, it } from "vitest";
import { GLYPH_SIZE, normalizeGlyph } from "./glyph-normalize.js";

function bounds(glyph: Float32Array): { x0: number; y0: number; x1: number; y1: number; mass: number } {
  let x0 = GLYPH_SIZE;
  let y0 = GLYPH_SIZE;
  let x1 = -1;
  let y1 = -1;
  let mass = 0;
  for (let y = 0; y < GLYPH_SIZE; y++) {
    for (let x = 0; x < GLYPH_SIZE; x++) {
      const v = glyph[y * GLYPH_SIZE + x]!;
      mass += v;
      if (v > 0.01) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  return { x0, y0, x1, y1, mass };
}

describe("normalizeGlyph", () => {
  it("scales the ink's longer side to 20 px and centres it, whatever the margin around it", () => {
    const width = 60;
    const height = 90;
    const mask = new Uint8Array(width * height);
    // A 10x40 upright bar (a "1") somewhere off-centre.
    for (let y = 30; y < 70; y++) for (let x = 5; x < 15; x++) mask[y * width + x] = 1;
    const b = bounds(normalizeGlyph(mask, width, height));
    expect(b.y1 - b.y0 + 1).toBe(20);
    expect(b.x1 - b.x0 + 1).toBe(5);
    expect(b.y0).toBe(4);
    expect(b.x0).toBe(11);
    expect(b.mass).toBeCloseTo(100, 0);
  });

  it("keeps a dash wide and flat, and an empty mask empty", () => {
    const mask = new Uint8Array(40 * 10);
    for (let y = 4; y < 7; y++) for (let x = 0; x < 40; x++) mask[y * 40 + x] = 1;
    const b = bounds(normalizeGlyph(mask, 40, 10));
    expect(b.x1 - b.x0 + 1).toBe(20);
    expect(b.y1 - b.y0 + 1).toBeLessThanOrEqual(3);
    expect(bounds(normalizeGlyph(new Uint8Array(16), 4, 4)).mass).toBe(0);
  });
});
