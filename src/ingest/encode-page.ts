import sharp, { type Sharp, type SharpOptions } from "sharp";
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

/** What the caller knows of the pixels handed to `encodePage`. */
export interface PageSourceTraits {
  /** A quarter turn to apply (a PDF page's /Rotate, or a detected sideways scan). */
  readonly turn?: QuarterTurn;
  /** The source has no alpha channel, so there is nothing to flatten. */
  readonly opaque?: boolean;
  /**
   * The source is three-channel sRGB (after flattening): its grey is taken from the green channel,
   * a copy, instead of a colourspace conversion through floating point (a quarter of the page's
   * preparation CPU on a 2480×3509 scan). Blue and black pens and red stamps are all dark in green.
   */
  readonly rgb?: boolean;
}

/**
 * The one preparation pipeline for every page: optional quarter turn, alpha flattened onto white,
 * downscaled to fit `maxLongSide` (never enlarged), one-channel grey, JPEG. The downscale uses a
 * linear kernel: an A4 scan shrinks by about 2, where it is as legible as Lanczos and costs less.
 * EXIF orientation is applied by the caller through `autoOrient` on the input where it applies.
 */
export async function encodePage(image: Sharp, options: PrepareOptions, traits: PageSourceTraits = {}): Promise<EncodedPage> {
  let pipeline = image;
  const turn = traits.turn ?? 0;
  if (turn !== 0) pipeline = pipeline.rotate(turn);
  // Flattening an image without alpha is a full pass over its pixels for nothing.
  if (traits.opaque !== true) pipeline = pipeline.flatten({ background: "#ffffff" });
  pipeline = pipeline.resize({
    width: options.maxLongSide,
    height: options.maxLongSide,
    fit: "inside",
    withoutEnlargement: true,
    kernel: "linear",
  });
  // `toColourspace("b-w")` writes one channel (`.grayscale()` would still write three, slower).
  pipeline = traits.rgb === true ? pipeline.extractChannel("green") : pipeline.toColourspace("b-w");
  const { data, info } = await pipeline.jpeg({ quality: options.jpegQuality }).toBuffer({ resolveWithObject: true });
  return { jpeg: data, width: info.width, height: info.height };
}

/** A JPEG at most this big may be sent as it is (a prepared q82 page is about 260 KB). */
export const MAX_REUSED_JPEG_BYTES = 300_000;

/**
 * A source that is already a JPEG of the right size is sent as it is: no decode, no re-encode.
 * Right size: upright as stored (no turn, no EXIF orientation), the long side within
 * `maxLongSide`, at most MAX_REUSED_JPEG_BYTES, grey or sRGB (not CMYK), and complete (it ends
 * with the end-of-image marker; a truncated file is decoded, and refused, as before). Reads the
 * header only; null when the source must be prepared.
 */
export async function reusableJpeg(jpeg: Uint8Array, options: PrepareOptions, turn: QuarterTurn = 0): Promise<EncodedPage | null> {
  if (turn !== 0 || jpeg.length > MAX_REUSED_JPEG_BYTES || !endsWithEoi(jpeg)) return null;
  let meta: Awaited<ReturnType<Sharp["metadata"]>>;
  try {
    meta = await sharp(jpeg, { limitInputPixels: options.maxPixels }).metadata();
  } catch {
    return null;
  }
  const upright = meta.orientation === undefined || meta.orientation === 1;
  const colour = meta.space === "b-w" || meta.space === "srgb";
  if (meta.format !== "jpeg" || !upright || !colour || Math.max(meta.width, meta.height) > options.maxLongSide) return null;
  return { jpeg: Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength), width: meta.width, height: meta.height };
}

/** The JPEG end-of-image marker (FF D9) among the last bytes (some writers pad after it). */
function endsWithEoi(jpeg: Uint8Array): boolean {
  for (let i = jpeg.length - 2; i >= Math.max(0, jpeg.length - 32); i--) {
    if (jpeg[i] === 0xff && jpeg[i + 1] === 0xd9) return true;
  }
  return false;
}
