import type { SKRSContext2D } from "@napi-rs/canvas";
import type { Rng } from "./rng.js";

/** One writer's hand: font, size, ink and how unsteady the strokes are. */
export interface Pen {
  readonly family: string;
  /** Nominal glyph size in px. */
  readonly size: number;
  readonly ink: string;
  /** 0 = steady, 1 = very shaky. Scales per-glyph rotation, offset and size jitter. */
  readonly jitter: number;
  /** Horizontal shear of the hand (negative leans right). */
  readonly slant: number;
  /** Extra stroke width, as a fraction of the size. */
  readonly weight: number;
}

/**
 * Fonts that look hand-written. Purisa is the most convincing; Umpush stands in for a neat hand.
 * Noto Looped Thai drops tone marks in skia and Tlwg Typist looks typed, so neither is used.
 */
export const HANDWRITING_FAMILIES: readonly (readonly [string, number])[] = [
  ["Purisa", 8],
  ["Umpush", 1],
];

const INKS: readonly (readonly [string, number])[] = [
  ["#1b2f8f", 5],
  ["#20307a", 2],
  ["#151515", 3],
  ["#2a3fb0", 2],
];

export function choosePen(rng: Rng, size: number): Pen {
  return {
    family: rng.weighted(HANDWRITING_FAMILIES),
    size: size * rng.real(0.9, 1.12),
    ink: rng.weighted(INKS),
    jitter: rng.real(0.4, 1),
    slant: rng.real(-0.18, 0.04),
    weight: rng.real(0.012, 0.032),
  };
}

const graphemes = new Intl.Segmenter("th", { granularity: "grapheme" });

/**
 * Writes `text` with its left end at (x, baseline), glyph cluster by glyph cluster, each with a
 * small random rotation, offset and size change. Shrinks to `maxWidth` when given. Returns the width used.
 */
export function handwrite(ctx: SKRSContext2D, text: string, x: number, baseline: number, pen: Pen, rng: Rng, maxWidth?: number): number {
  const clusters = [...graphemes.segment(text)].map((s) => s.segment);
  let size = pen.size;
  ctx.font = `${size}px "${pen.family}"`;
  const natural = ctx.measureText(text).width;
  if (maxWidth !== undefined && natural > maxWidth) size *= maxWidth / natural;
  const wobble = pen.jitter;
  ctx.save();
  ctx.fillStyle = pen.ink;
  ctx.strokeStyle = pen.ink;
  ctx.lineWidth = size * pen.weight;
  ctx.lineJoin = "round";
  ctx.translate(x, baseline);
  ctx.transform(1, 0, pen.slant, 1, 0, 0);
  let cursor = 0;
  const drift = rng.real(-0.04, 0.04);
  for (const cluster of clusters) {
    const glyphSize = size * (1 + rng.normal(0, 0.05 * wobble));
    ctx.font = `${glyphSize.toFixed(2)}px "${pen.family}"`;
    const advance = ctx.measureText(cluster).width;
    if (cluster.trim() !== "") {
      ctx.save();
      ctx.translate(cursor + rng.normal(0, 0.6 * wobble), cursor * drift + rng.normal(0, 0.05 * size * wobble));
      ctx.rotate(rng.normal(0, 0.07 * wobble));
      ctx.fillText(cluster, 0, 0);
      // Purisa's strokes are thin next to a ballpoint pen: thicken them.
      ctx.strokeText(cluster, 0, 0);
      ctx.restore();
    }
    cursor += advance * (0.93 + rng.normal(0, 0.04 * wobble));
  }
  ctx.restore();
  return cursor;
}

/** A signature: a few loops and a flourish drawn as one stroke. */
export function scribbleSignature(ctx: SKRSContext2D, x: number, baseline: number, width: number, pen: Pen, rng: Rng): void {
  ctx.save();
  ctx.strokeStyle = pen.ink;
  ctx.lineWidth = rng.real(1.6, 2.6);
  ctx.lineCap = "round";
  ctx.beginPath();
  let px = x;
  let py = baseline - rng.real(0, 10);
  ctx.moveTo(px, py);
  const strokes = rng.int(3, 6);
  for (let i = 0; i < strokes; i++) {
    const nx = px + width / strokes;
    const ny = baseline - rng.real(-8, 30);
    ctx.bezierCurveTo(px + rng.real(-20, 30), py - rng.real(10, 45), nx + rng.real(-30, 10), ny + rng.real(0, 30), nx, ny);
    px = nx;
    py = ny;
  }
  ctx.quadraticCurveTo(px + 20, py + 20, x + rng.real(0, width * 0.5), baseline + rng.real(0, 10));
  ctx.stroke();
  ctx.restore();
}
