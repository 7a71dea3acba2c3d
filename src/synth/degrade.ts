import sharp, { type OverlayOptions, type Sharp } from "sharp";
import type { RawPage } from "./render-page.js";
import type { Rng } from "./rng.js";

export const NOISE_LEVELS = ["none", "scan", "photo"] as const;
export type NoiseLevel = (typeof NOISE_LEVELS)[number];

/** A degraded page as opaque RGB pixels. */
export interface DegradedPage {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}

const RGB = { channels: 3 } as const;

/** A soft light gradient across the page (multiplied in): brighter in one spot, darker toward an edge. */
function illuminationSvg(width: number, height: number, rng: Rng, strength: number): Buffer {
  const cx = rng.real(0.2, 0.8);
  const cy = rng.real(0.2, 0.8);
  const edge = Math.round(255 * (1 - strength));
  const tint = rng.pick([
    [255, 255, 255],
    [255, 250, 240],
    [246, 248, 255],
  ]);
  const [r, g, b] = tint.map((v) => Math.round(v * (1 - strength / 3)));
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<defs><radialGradient id="l" cx="${cx}" cy="${cy}" r="0.95">` +
      `<stop offset="0" stop-color="rgb(${tint.join(",")})"/><stop offset="0.6" stop-color="rgb(${r},${g},${b})"/>` +
      `<stop offset="1" stop-color="rgb(${edge},${edge},${Math.max(0, edge - 8)})"/></radialGradient></defs>` +
      `<rect width="100%" height="100%" fill="url(#l)"/></svg>`,
  );
}

/** Faint mirror image of the page, as print showing through from the back of the sheet. */
async function bleedThrough(page: DegradedPage, rng: Rng): Promise<Buffer> {
  const faintness = rng.real(0.04, 0.09);
  const margin = 60;
  const shifted = await rgbOf(
    sharp(page.data, { raw: { width: page.width, height: page.height, ...RGB } })
      .flop()
      .extend({ top: margin, bottom: margin, left: margin, right: margin, background: "#ffffff" }),
  );
  return sharp(shifted.data, { raw: { width: shifted.width, height: shifted.height, ...RGB } })
    .extract({ left: margin + rng.int(-40, 40), top: margin + rng.int(-55, 55), width: page.width, height: page.height })
    .linear(faintness, 255 * (1 - faintness))
    .png({ compressionLevel: 1 })
    .toBuffer();
}

async function rgbOf(image: Sharp): Promise<DegradedPage> {
  const { data, info } = await image.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Makes a clean rendered page look scanned (`scan`) or photographed (`photo`). */
export async function degradePage(page: RawPage, noise: NoiseLevel, rng: Rng): Promise<DegradedPage> {
  const clean = await rgbOf(sharp(page.data, { raw: { width: page.width, height: page.height, channels: 4 } }));
  if (noise === "none") return clean;
  const { width, height } = clean;
  const photo = noise === "photo";
  const overlays: OverlayOptions[] = [];
  if (rng.chance(photo ? 0.3 : 0.5)) overlays.push({ input: await bleedThrough(clean, rng), blend: "multiply" });
  overlays.push({ input: illuminationSvg(width, height, rng, photo ? rng.real(0.18, 0.35) : rng.real(0.04, 0.12)), blend: "multiply" });

  const lit = await rgbOf(sharp(clean.data, { raw: { width, height, ...RGB } }).composite(overlays));
  const angle = photo ? rng.real(-4, 4) : rng.real(-1.5, 1.5);
  const shearX = photo ? rng.real(-0.04, 0.04) : 0;
  const shearY = photo ? rng.real(-0.03, 0.03) : 0;
  const paper = photo ? { r: 120, g: 118, b: 112 } : { r: 250, g: 250, b: 250 };
  // Geometry first, in its own pipeline: sharp orders resize before affine within one pipeline.
  let framed = sharp(lit.data, { raw: { width, height, ...RGB } });
  if (photo) {
    // A photo shows the table around the sheet.
    const pad = (): number => Math.round(width * rng.real(0.02, 0.07));
    framed = framed.extend({ top: pad(), bottom: pad(), left: pad(), right: pad(), background: paper });
  }
  const padded = await rgbOf(framed);
  let tilted = await rgbOf(
    sharp(padded.data, { raw: { width: padded.width, height: padded.height, ...RGB } }).rotate(angle, { background: paper }),
  );
  if (photo) {
    tilted = await rgbOf(
      sharp(tilted.data, { raw: { width: tilted.width, height: tilted.height, ...RGB } }).affine([1, shearX, shearY, 1], {
        background: paper,
        interpolator: "bilinear",
      }),
    );
  }
  let image = sharp(tilted.data, { raw: { width: tilted.width, height: tilted.height, ...RGB } }).resize(width, height, { fit: "cover" });
  image = photo ? image.linear(rng.real(0.7, 0.85), rng.real(15, 35)).blur(rng.real(0.9, 1.6)) : image.blur(rng.real(0.4, 0.8));
  const blurred = await rgbOf(image);
  // JPEG artefacts, as a phone app or scanner would leave them.
  const jpeg = await sharp(blurred.data, { raw: { width: blurred.width, height: blurred.height, ...RGB } })
    .jpeg({ quality: photo ? rng.int(45, 65) : rng.int(55, 80), chromaSubsampling: "4:2:0" })
    .toBuffer();
  return rgbOf(sharp(jpeg));
}
