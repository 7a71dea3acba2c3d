import { findComponents } from "../image/components.js";
import type { BinaryImage, Box } from "../image/gray-image.js";
import { cropBinary } from "../layout/table-layout.js";
import { median } from "../median.js";
import { normalizeGlyph } from "./glyph-normalize.js";

/** One glyph cut out of a cell, ready for the classifier. */
export interface Glyph {
  /** Bounds within the page. */
  readonly box: Box;
  readonly input: Float32Array;
  /**
   * For a glyph wide enough to be digits that touch: candidate cuts into two or three pieces.
   * Tried only when the whole is not a confident digit, so worked out only when asked for.
   */
  readonly splits: () => GlyphCuts;
}

/** A glyph's candidate cuts: its distinct pieces, each ready for the classifier, and every cut as indices into them. */
export interface GlyphCuts {
  readonly pieces: readonly Float32Array[];
  readonly cuts: readonly (readonly number[])[];
}

const NO_CUTS: GlyphCuts = { pieces: [], cuts: [] };

export interface CellInk {
  readonly glyphs: readonly Glyph[];
  /** Ink left after dropping specks, relative to the cell: a cue for faint or odd content. */
  readonly inkPixels: number;
  /** Small dots inside the cell: the printed dotted baseline shows the cell is where it should be. */
  readonly dots: number;
}

/**
 * Cuts the handwritten digits of one cell into glyphs: ink components minus printed
 * remnants (rule rows, dotted-baseline dots, specks), grouped left to right where
 * pieces overlap horizontally (a 5 whose flag is detached stays one glyph). `inRunningText`
 * marks a ballot total written on a dotted line in the paragraph, not in a ruled table row.
 */
export function segmentCell(page: BinaryImage, box: Box, pitch: number, inRunningText = false): CellInk {
  // Look a little beyond the cell's sides so a digit that starts before the dotted line is
  // taken whole; only ink that mostly lies inside the cell counts.
  const margin = Math.round(pitch * 0.8);
  // A total in running text is also looked at above and below, so ink is judged whole: the tops
  // of the next line's digits lie mostly outside the cell and are dropped, a tall digit is kept
  // whole. Vote rows are not: their rules and the next row's strokes would come in.
  const reach = inRunningText ? Math.round(pitch * 0.5) : 0;
  const outer = {
    x0: Math.max(0, box.x0 - margin),
    y0: Math.max(0, box.y0 - reach),
    x1: Math.min(page.width, box.x1 + margin),
    y1: Math.min(page.height, box.y1 + reach),
  };
  const cell = cropBinary(page, outer.x0, outer.y0, outer.x1, outer.y1);
  eraseRuleRows(cell);
  eraseRuleColumns(cell);
  const map = findComponents(cell);
  const minSide = Math.max(4, pitch * 0.14);
  const coreX0 = box.x0 - outer.x0;
  const coreX1 = box.x1 - outer.x0;
  const coreY0 = box.y0 - outer.y0;
  const coreY1 = box.y1 - outer.y0;
  const mostlyInRow = (c: { y0: number; y1: number }): boolean => Math.min(c.y1, coreY1) - Math.max(c.y0, coreY0) >= (c.y1 - c.y0) * 0.5;
  const dotSide = Math.max(2, pitch * 0.1);
  const dotComponents = map.components.filter((c) => {
    const inside = c.x0 >= coreX0 && c.x1 <= coreX1 && c.y0 >= coreY0 && c.y1 <= coreY1;
    return inside && c.x1 - c.x0 <= dotSide && c.y1 - c.y0 <= dotSide && c.area >= 2;
  });
  const baseline = dotComponents.length >= 4 ? median(dotComponents.map((c) => (c.y0 + c.y1) / 2)) : null;
  const candidates = map.components.filter(
    (c) =>
      Math.max(c.x1 - c.x0, c.y1 - c.y0) >= minSide &&
      mostlyInRow(c) &&
      !isRuleRemnant(c, coreX0, coreX1, coreY1 - coreY0) &&
      !(baseline !== null && isBaselinePrint(c, baseline, pitch)),
  );
  const kept = candidates.filter((c) => {
    const inside = Math.min(c.x1, coreX1) - Math.max(c.x0, coreX0);
    return inside >= (c.x1 - c.x0) * 0.4;
  });
  if (inRunningText && kept.length > 0) {
    // A number written over the start of its dotted line hides the first dots: take in
    // glyphs that continue the number leftwards with a small gap.
    let left = Math.min(...kept.map((c) => c.x0));
    const maxGap = pitch * 0.3;
    for (const c of [...candidates].sort((a, b) => b.x1 - a.x1)) {
      if (kept.includes(c) || c.x0 >= left || left - c.x1 > maxGap) continue;
      if (c.y1 - c.y0 < pitch * 0.3) continue;
      kept.push(c);
      left = c.x0;
    }
  }
  kept.sort((a, b) => a.x0 - b.x0);
  const groups: { x0: number; y0: number; x1: number; y1: number; labels: number[] }[] = [];
  for (const c of kept) {
    const last = groups[groups.length - 1];
    if (last) {
      const overlap = Math.min(last.x1, c.x1) - Math.max(last.x0, c.x0);
      const narrower = Math.min(last.x1 - last.x0, c.x1 - c.x0);
      if (overlap > narrower * 0.5) {
        last.x0 = Math.min(last.x0, c.x0);
        last.y0 = Math.min(last.y0, c.y0);
        last.x1 = Math.max(last.x1, c.x1);
        last.y1 = Math.max(last.y1, c.y1);
        last.labels.push(c.label);
        continue;
      }
    }
    groups.push({ x0: c.x0, y0: c.y0, x1: c.x1, y1: c.y1, labels: [c.label] });
  }
  const dots = dotComponents.length;
  let inkPixels = 0;
  for (const c of kept) inkPixels += c.area;
  const glyphs = groups.map((g) => {
    const w = g.x1 - g.x0;
    const h = g.y1 - g.y0;
    const mask = new Uint8Array(w * h);
    const wanted = new Set(g.labels);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const label = map.labels[(g.y0 + y) * cell.width + g.x0 + x]!;
        if (label && wanted.has(label)) mask[y * w + x] = 1;
      }
    }
    return {
      box: { x0: outer.x0 + g.x0, y0: outer.y0 + g.y0, x1: outer.x0 + g.x1, y1: outer.y0 + g.y1 },
      input: normalizeGlyph(mask, w, h),
      splits: h > pitch * 0.25 ? () => cutGlyph(mask, w, h) : () => NO_CUTS,
    };
  });
  return { glyphs, inkPixels, dots };
}

type Component = { x0: number; x1: number; y0: number; y1: number };

/**
 * Print, not writing: a thin flat run of ink on the dotted baseline (dots that blur or a heavy
 * print ran together) or under it (bleed-through, a rule's shadow). Writing sits above the
 * dots. A hand-drawn dash on the baseline is dropped with it; an empty cell with its dotted line
 * counts 0, as a dash does, so the value is the same.
 */
function isBaselinePrint(c: Component, baseline: number, pitch: number): boolean {
  const flat = c.y1 - c.y0 <= Math.max(3, pitch * 0.13) && c.x1 - c.x0 >= (c.y1 - c.y0) * 2;
  return flat && c.y1 + 2 >= baseline;
}

/** A piece of the column rule (bent on a curved page): at the cell's left edge, tall and thin. */
function isRuleRemnant(c: { x0: number; x1: number; y0: number; y1: number }, left: number, right: number, height: number): boolean {
  const thin = c.x1 - c.x0 <= Math.max(6, height * 0.22);
  const tall = c.y1 - c.y0 >= height * 0.8;
  const atSide = c.x0 <= left + 3 || Math.abs(c.x1 - right) <= 2;
  return thin && tall && atSide;
}

/** Clears columns that are almost all ink: a printed vertical rule, never handwriting. */
function eraseRuleColumns(cell: BinaryImage): void {
  const { width, height, data } = cell;
  for (let x = 0; x < width; x++) {
    let ink = 0;
    for (let y = 0; y < height; y++) ink += data[y * width + x]!;
    if (ink > height * 0.85) for (let y = 0; y < height; y++) data[y * width + x] = 0;
  }
}

/**
 * Ways to cut a glyph that may be two or three touching digits: straight vertical cuts at a
 * range of positions (the classifier then picks the cut whose pieces all look like digits).
 */
function cutPositions(w: number, h: number): number[][] {
  const cuts: number[][] = [];
  if (w < h * 0.6 || w < 8) return cuts;
  const step = Math.max(1, Math.round(w / 24));
  for (let a = Math.round(w * 0.25); a <= Math.round(w * 0.75); a += step) cuts.push([a]);
  if (w >= h * 1.1) {
    const step3 = Math.max(1, Math.round(w / 16));
    for (let a = Math.round(w * 0.2); a <= Math.round(w * 0.45); a += step3) {
      for (let b = Math.round(w * 0.55); b <= Math.round(w * 0.8); b += step3) cuts.push([a, b]);
    }
  }
  return cuts;
}

/**
 * The glyph's candidate cuts. A piece (the same columns) recurs across cuts, a two-way cut's
 * left part as a three-way cut's, so each is normalised once and the cuts name it by index.
 */
function cutGlyph(mask: Uint8Array, w: number, h: number): GlyphCuts {
  const pieces: Float32Array[] = [];
  const indexOf = new Map<number, number>();
  const piece = (x0: number, pw: number): number => {
    const key = x0 * (w + 1) + pw;
    const known = indexOf.get(key);
    if (known !== undefined) return known;
    const columns = new Uint8Array(pw * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < pw; x++) columns[y * pw + x] = mask[y * w + x0 + x]!;
    indexOf.set(key, pieces.length);
    pieces.push(normalizeGlyph(columns, pw, h));
    return pieces.length - 1;
  };
  const cuts = cutPositions(w, h).map((positions) => {
    const bounds = [0, ...positions, w];
    return bounds.slice(0, -1).map((x0, k) => piece(x0, Math.max(1, bounds[k + 1]! - x0)));
  });
  return { pieces, cuts };
}

/** Clears rows that are mostly ink: the remains of a printed rule at the cell's edge. */
function eraseRuleRows(cell: BinaryImage): void {
  const { width, height, data } = cell;
  for (let y = 0; y < height; y++) {
    let ink = 0;
    for (let x = 0; x < width; x++) ink += data[y * width + x]!;
    if (ink > width * 0.6) data.fill(0, y * width, (y + 1) * width);
  }
}
