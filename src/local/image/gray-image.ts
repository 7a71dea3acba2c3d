import sharp from "sharp";

/** An 8-bit greyscale raster: 0 = black ink, 255 = white paper. Row-major. */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** A 0/1 raster: 1 = ink. Row-major. */
export interface BinaryImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export interface Box {
  readonly x0: number;
  readonly y0: number;
  /** Exclusive. */
  readonly x1: number;
  /** Exclusive. */
  readonly y1: number;
}

/**
 * Decodes any image sharp reads into greyscale, scaled so its width is `targetWidth`
 * (never enlarged more than 1.5x). Rotation is rotateGray's.
 */
export async function decodeGray(bytes: Buffer, targetWidth: number): Promise<GrayImage> {
  const meta = await sharp(bytes).metadata();
  const sourceWidth = meta.autoOrient?.width ?? meta.width ?? targetWidth;
  const width = Math.round(Math.min(targetWidth, sourceWidth * 1.5));
  const { data, info } = await sharp(bytes)
    .autoOrient()
    .flatten({ background: "#ffffff" })
    .grayscale()
    .resize({ width })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) return toSingleChannel(data, info.width, info.height, info.channels);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

function toSingleChannel(data: Buffer, width: number, height: number, channels: number): GrayImage {
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = data[i * channels]!;
  return { width, height, data: out };
}

/** Rotates a greyscale raster by `angleDeg` (positive = clockwise) on white, keeping it whole. */
export async function rotateGray(image: GrayImage, angleDeg: number): Promise<GrayImage> {
  const { data, info } = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
    raw: { width: image.width, height: image.height, channels: 1 },
  })
    // Kept one band: otherwise the white background makes the rotation run on three.
    .toColourspace("b-w")
    .rotate(angleDeg, { background: "#ffffff" })
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** Encodes a raster as PNG (debug crops). Binary images are drawn black on white. */
export async function encodePng(image: GrayImage | BinaryImage, binary = false): Promise<Buffer> {
  const pixels = binary ? image.data.map((v) => (v ? 0 : 255)) : image.data;
  return sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.length), {
    raw: { width: image.width, height: image.height, channels: 1 },
  })
    .png()
    .toBuffer();
}

export function cropGray(image: GrayImage, box: Box): GrayImage {
  const x0 = Math.max(0, box.x0);
  const y0 = Math.max(0, box.y0);
  const x1 = Math.min(image.width, box.x1);
  const y1 = Math.min(image.height, box.y1);
  const width = Math.max(0, x1 - x0);
  const height = Math.max(0, y1 - y0);
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const from = (y0 + y) * image.width + x0;
    data.set(image.data.subarray(from, from + width), y * width);
  }
  return { width, height, data };
}
