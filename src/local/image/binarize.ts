import type { BinaryImage, GrayImage } from "./gray-image.js";

export interface BinarizeOptions {
  /** Side of the square window for the local mean, in pixels (odd). */
  readonly window: number;
  /** Ink must be darker than this share of the local mean (removes stains and shading). */
  readonly ratio: number;
  /** Ink must also be darker than this absolute level (removes faint bleed-through). */
  readonly maxLevel: number;
}

export const DEFAULT_BINARIZE: BinarizeOptions = { window: 41, ratio: 0.8, maxLevel: 175 };

/**
 * Local-mean thresholding through an integral image: robust to uneven lighting and coloured
 * stains, and drops the faint mirror-image text that bleeds through the paper. Only the
 * integral's rows the window spans are kept (a ring of window + 2 rows, small enough to stay in
 * cache); they are whole numbers kept modulo 2^32, which leaves every window's sum (far below
 * 2^31) exact.
 */
export function binarize(image: GrayImage, options: BinarizeOptions = DEFAULT_BINARIZE): BinaryImage {
  const { width, height, data } = image;
  const half = Math.floor(options.window / 2);
  const stride = width + 1;
  const ringRows = 2 * half + 3;
  // Row r of the integral (the sums over the image rows above r) sits at slot r % ringRows.
  const ring = new Int32Array(ringRows * stride);
  let computed = 0;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const ya = Math.max(0, y - half);
    const yb = Math.min(height, y + half + 1);
    for (; computed < yb; computed++) {
      const above = (computed % ringRows) * stride;
      const row = ((computed + 1) % ringRows) * stride;
      const source = computed * width;
      let rowSum = 0;
      for (let x = 0; x < width; x++) {
        rowSum = (rowSum + data[source + x]!) | 0;
        ring[row + x + 1] = (ring[above + x + 1]! + rowSum) | 0;
      }
    }
    const top = (ya % ringRows) * stride;
    const bottom = (yb % ringRows) * stride;
    const rowStart = y * width;
    for (let x = 0; x < width; x++) {
      const value = data[rowStart + x]!;
      if (value >= options.maxLevel) continue;
      const xa = Math.max(0, x - half);
      const xb = Math.min(width, x + half + 1);
      const sum = (ring[bottom + xb]! - ring[top + xb]! - ring[bottom + xa]! + ring[top + xa]!) | 0;
      const mean = sum / ((yb - ya) * (xb - xa));
      if (value < mean * options.ratio) out[rowStart + x] = 1;
    }
  }
  return { width, height, data: out };
}
