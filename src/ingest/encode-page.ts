import type { Sharp, SharpOptions } from "sharp";
import type { PrepareOptions } from "./types.js";

export type QuarterTurn = 0 | 90 | 180 | 270;

export interface EncodedPage {
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
}

/**
 * Decoding is strict about real damage ("error": a truncated or corrupt file fails) but tolerates
 * the harmless warnings many scanners produce. The pixel limit is checked again by libvips on the
 * header, in addition to our own check before any decode.
 */
export function decodeOptions(options: PrepareOptions): SharpOptions {
  return { limitInputPixels: options.maxPixels, failOn: "error" };
}

/**
 * The one preparation pipeline for every page: optional quarter turn, alpha flattened onto white,
 * downscaled to fit `maxLongSide` (never enlarged), one-channel grey (`toColourspace("b-w")`;
 * `.grayscale()` would still write three channels and is several times slower), JPEG.
 * EXIF orientation is applied by the caller through `autoOrient` on the input where it applies.
 */
export async function encodePage(
  image: Sharp,
  options: PrepareOptions,
  turn: QuarterTurn = 0,
): Promise<EncodedPage> {
  let pipeline = image;
  if (turn !== 0) pipeline = pipeline.rotate(turn);
  const { data, info } = await pipeline
    .flatten({ background: "#ffffff" })
    .resize({
      width: options.maxLongSide,
      height: options.maxLongSide,
      fit: "inside",
      withoutEnlargement: true,
    })
    .toColourspace("b-w")
    .jpeg({ quality: options.jpegQuality })
    .toBuffer({ resolveWithObject: true });
  return { jpeg: data, width: info.width, height: info.height };
}
