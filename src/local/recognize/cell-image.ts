import type { Box, GrayImage } from "../image/gray-image.js";

/** The sequence recognizer sees every cell as this many rows... */
export const CELL_HEIGHT = 32;
/** ...and at most this many columns (a wider crop is squeezed, a narrower one padded with paper). */
export const CELL_WIDTH = 128;

/**
 * The crop around a cell's box that the recognizer reads: digits often start before the dotted
 * line, run past the cell's edge or sit on the row rule, so it looks a little beyond the box.
 * training/export_cells.ts cuts its training crops with this same function.
 */
export function cellCropBox(box: Box, pitch: number, page: { width: number; height: number }): Box {
  return {
    x0: Math.max(0, Math.round(box.x0 - pitch * 0.5)),
    y0: Math.max(0, Math.round(box.y0 - pitch * 0.12)),
    x1: Math.min(page.width, Math.round(box.x1 + pitch * 0.15)),
    y1: Math.min(page.height, Math.round(box.y1 + pitch * 0.12)),
  };
}

/**
 * One cell as the recognizer's input: CELL_HEIGHT x CELL_WIDTH floats, ink = 1, paper = 0.
 * Contrast is stretched between the crop's paper (70th percentile) and its darkest ink, so
 * faint pencil and dark ballpoint look alike; the crop is area-averaged to CELL_HEIGHT rows,
 * its width scaled alike up to CELL_WIDTH, and it is placed at the left.
 */
export function cellInput(gray: GrayImage, box: Box, pitch: number): Float32Array {
  const crop = cellCropBox(box, pitch, gray);
  const width = Math.max(1, crop.x1 - crop.x0);
  const height = Math.max(1, crop.y1 - crop.y0);
  const histogram = new Uint32Array(256);
  for (let y = crop.y0; y < crop.y0 + height; y++) {
    for (let x = crop.x0; x < crop.x0 + width; x++) histogram[gray.data[y * gray.width + x] ?? 255]!++;
  }
  const paper = percentile(histogram, width * height, 0.7);
  const darkest = percentile(histogram, width * height, 0.01);
  const span = Math.max(60, paper - darkest);
  const ink = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = gray.data[(crop.y0 + y) * gray.width + crop.x0 + x] ?? 255;
      ink[y * width + x] = Math.min(1, Math.max(0, (paper - v) / span));
    }
  }
  const outWidth = Math.max(1, Math.min(CELL_WIDTH, Math.round((width * CELL_HEIGHT) / height)));
  const resized = resizeArea(ink, width, height, outWidth, CELL_HEIGHT);
  const out = new Float32Array(CELL_HEIGHT * CELL_WIDTH);
  for (let y = 0; y < CELL_HEIGHT; y++) out.set(resized.subarray(y * outWidth, (y + 1) * outWidth), y * CELL_WIDTH);
  return out;
}

function percentile(histogram: Uint32Array, total: number, share: number): number {
  const target = total * share;
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += histogram[v]!;
    if (seen > target) return v;
  }
  return 255;
}

/** Area-averaging resample (each output pixel is the mean of the source area it covers). */
export function resizeArea(src: Float32Array, width: number, height: number, outWidth: number, outHeight: number): Float32Array {
  const horizontal = new Float32Array(outWidth * height);
  const xWeights = areaWeights(width, outWidth);
  for (let y = 0; y < height; y++) {
    for (let ox = 0; ox < outWidth; ox++) {
      let sum = 0;
      for (const [x, w] of xWeights[ox]!) sum += src[y * width + x]! * w;
      horizontal[y * outWidth + ox] = sum;
    }
  }
  const out = new Float32Array(outWidth * outHeight);
  const yWeights = areaWeights(height, outHeight);
  for (let oy = 0; oy < outHeight; oy++) {
    for (let ox = 0; ox < outWidth; ox++) {
      let sum = 0;
      for (const [y, w] of yWeights[oy]!) sum += horizontal[y * outWidth + ox]! * w;
      out[oy * outWidth + ox] = sum;
    }
  }
  return out;
}

/** For each output index, the source indices it covers and their normalised weights. */
function areaWeights(size: number, outSize: number): [number, number][][] {
  const scale = size / outSize;
  return Array.from({ length: outSize }, (_, o) => {
    const start = o * scale;
    const end = start + scale;
    const weights: [number, number][] = [];
    for (let i = Math.floor(start); i < Math.min(size, Math.ceil(end)); i++) {
      const cover = Math.min(end, i + 1) - Math.max(start, i);
      if (cover > 0) weights.push([i, cover / scale]);
    }
    // Enlarging: the output pixel lies inside one source pixel.
    if (weights.length === 0) weights.push([Math.min(size - 1, Math.floor(start)), 1]);
    return weights;
  });
}
