/** Side of the classifier's input square. */
export const GLYPH_SIZE = 28;
/** The glyph's longer side is scaled to this, leaving a margin (the MNIST convention). */
export const GLYPH_BOX = 20;

/**
 * Turns a glyph mask (1 = ink, tight or not) into the classifier's 28x28 input:
 * cropped to its ink, longer side scaled to 20 px with area averaging, centred.
 * Must match normalize_glyph in training/train_digits.py.
 */
export function normalizeGlyph(mask: Uint8Array, width: number, height: number): Float32Array {
  const out = new Float32Array(GLYPH_SIZE * GLYPH_SIZE);
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return out;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const scale = GLYPH_BOX / Math.max(w, h);
  const nw = Math.max(1, Math.round(w * scale));
  const nh = Math.max(1, Math.round(h * scale));
  const source = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) source[y * w + x] = mask[(y0 + y) * width + x0 + x] ? 1 : 0;
  }
  const resized = boxResize(source, w, h, nw, nh);
  const ox = Math.floor((GLYPH_SIZE - nw) / 2);
  const oy = Math.floor((GLYPH_SIZE - nh) / 2);
  for (let y = 0; y < nh; y++) {
    for (let x = 0; x < nw; x++) out[(oy + y) * GLYPH_SIZE + ox + x] = resized[y * nw + x]!;
  }
  return out;
}

/** Separable area-average resize with fractional pixel coverage. */
export function boxResize(source: Float32Array, w: number, h: number, nw: number, nh: number): Float32Array {
  const horizontal = new Float32Array(nw * h);
  const wx = coverage(w, nw);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < nw; x++) {
      let sum = 0;
      for (const [j, weight] of wx[x]!) sum += source[y * w + j]! * weight;
      horizontal[y * nw + x] = sum;
    }
  }
  const out = new Float32Array(nw * nh);
  const wy = coverage(h, nh);
  for (let y = 0; y < nh; y++) {
    for (let x = 0; x < nw; x++) {
      let sum = 0;
      for (const [j, weight] of wy[y]!) sum += horizontal[j * nw + x]! * weight;
      out[y * nw + x] = sum;
    }
  }
  return out;
}

/** For each output index, the input indices it covers and their normalised weights. */
function coverage(from: number, to: number): [number, number][][] {
  const ratio = from / to;
  const support = Math.max(ratio, 1);
  const result: [number, number][][] = [];
  for (let i = 0; i < to; i++) {
    const centre = (i + 0.5) * ratio;
    const a = centre - support / 2;
    const b = centre + support / 2;
    const weights: [number, number][] = [];
    let total = 0;
    for (let j = Math.max(0, Math.floor(a)); j < Math.min(from, Math.ceil(b)); j++) {
      const overlap = Math.min(b, j + 1) - Math.max(a, j);
      if (overlap > 0) {
        weights.push([j, overlap]);
        total += overlap;
      }
    }
    result.push(weights.map(([j, weight]) => [j, weight / total]));
  }
  return result;
}
