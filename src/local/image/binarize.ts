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
 * Local-mean thresholding through an integral image: robust to uneven lighting and
 * coloured stains, and drops the faint mirror-image text that bleeds through the paper.
 */
export function binarize(image: GrayImage, options: BinarizeOptions = DEFAULT_BINARIZE): BinaryImage {
  const { width, height, data } = image;
  const stride = width + 1;
  const integral = new Float64Array(stride * (height + 1));
  for (let y = 0; y < height; y++) {
    let rowSum = 0;
    for (let x = 0; x < width; x++) {
      rowSum += data[y * width + x]!;
      integral[(y + 1) * stride + x + 1] = integral[y * stride + x + 1]! + rowSum;
    }
  }
  const half = Math.floor(options.window / 2);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const ya = Math.max(0, y - half);
    const yb = Math.min(height, y + half + 1);
    for (let x = 0; x < width; x++) {
      const value = data[y * width + x]!;
      if (value >= options.maxLevel) continue;
      const xa = Math.max(0, x - half);
      const xb = Math.min(width, x + half + 1);
      const sum = integral[yb * stride + xb]! - integral[ya * stride + xb]! - integral[yb * stride + xa]! + integral[ya * stride + xa]!;
      const mean = sum / ((yb - ya) * (xb - xa));
      if (value < mean * options.ratio) out[y * width + x] = 1;
    }
  }
  return { width, height, data: out };
}
