import * as ort from "onnxruntime-node";
import { createCpuSession } from "./cpu-session.js";
import { GLYPH_SIZE } from "./glyph-normalize.js";
import { committedModelPath } from "./model-path.js";

/** What the classifier can say about one glyph. */
export type GlyphClass = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "-" | "junk";

export const GLYPH_CLASSES: readonly GlyphClass[] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "-", "junk"];

export interface GlyphGuess {
  readonly label: GlyphClass;
  /** Softmax probability of the label. */
  readonly probability: number;
  /** Other labels the glyph could plausibly be (probability at least PLAUSIBLE_GLYPH), most likely first. */
  readonly others: readonly { readonly label: GlyphClass; readonly probability: number }[];
}

/** A label this probable is a reading the sums must rule out before a weak cell is trusted. */
export const PLAUSIBLE_GLYPH = 0.02;

export interface DigitClassifier {
  classify(glyphs: readonly Float32Array[]): Promise<GlyphGuess[]>;
}

/**
 * Each glyph is also shown slightly rotated both ways and the probabilities averaged: a
 * reading that holds only at one exact slant is not a confident one.
 */
const VIEW_ANGLES = [0, -0.12, 0.12];

/**
 * Glyphs per inference call. The CNN costs about a quarter less CPU per view in runs of a few
 * dozen views than in one run of a few hundred (its activations then stay in cache); each
 * glyph's logits do not depend on the others in its run.
 */
const GLYPHS_PER_RUN = 16;

/** The committed glyph classifier: src/local/model/digits.onnx. */
export function defaultModelPath(): string {
  return committedModelPath("digits.onnx");
}

/** Loads the ONNX glyph classifier on the CPU. */
export async function loadDigitClassifier(modelPath = defaultModelPath()): Promise<DigitClassifier> {
  const session = await createCpuSession(modelPath);
  return digitClassifierFor(session);
}

export function digitClassifierFor(session: ort.InferenceSession): DigitClassifier {
  const inputName = session.inputNames[0] ?? "glyphs";
  const outputName = session.outputNames[0] ?? "logits";
  return {
    async classify(glyphs) {
      if (glyphs.length === 0) return [];
      const pixels = GLYPH_SIZE * GLYPH_SIZE;
      const views = VIEW_ANGLES.length;
      const batch = new Float32Array(glyphs.length * views * pixels);
      glyphs.forEach((glyph, i) => {
        VIEW_ANGLES.forEach((angle, v) => {
          const at = (i * views + v) * pixels;
          if (angle === 0) batch.set(glyph, at);
          else rotateGlyph(glyph, angle, batch.subarray(at, at + pixels));
        });
      });
      const classes = GLYPH_CLASSES.length;
      const logits = new Float32Array(glyphs.length * views * classes);
      for (let start = 0; start < glyphs.length; start += GLYPHS_PER_RUN) {
        const count = Math.min(GLYPHS_PER_RUN, glyphs.length - start);
        const pixelsFrom = start * views * pixels;
        const input = new ort.Tensor("float32", batch.subarray(pixelsFrom, pixelsFrom + count * views * pixels), [
          count * views,
          1,
          GLYPH_SIZE,
          GLYPH_SIZE,
        ]);
        const result = await session.run({ [inputName]: input });
        const chunk = result[outputName]?.data as Float32Array | undefined;
        if (!chunk || chunk.length !== count * views * classes) throw new Error("digit classifier returned no logits");
        logits.set(chunk, start * views * classes);
      }
      return glyphs.map((_, i) => {
        const mean = new Array<number>(classes).fill(0);
        for (let v = 0; v < views; v++) {
          const probabilities = softmax(logits.subarray((i * views + v) * classes, (i * views + v + 1) * classes));
          probabilities.forEach((p, k) => {
            mean[k]! += p / views;
          });
        }
        return guessFrom(mean);
      });
    },
  };
}

function softmax(logits: Float32Array): number[] {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of logits) max = Math.max(max, v);
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / total);
}

function guessFrom(probabilities: readonly number[]): GlyphGuess {
  const order = probabilities.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]);
  const [best, ...rest] = order;
  return {
    label: GLYPH_CLASSES[best![1]]!,
    probability: best![0],
    others: rest.filter(([p]) => p >= PLAUSIBLE_GLYPH).map(([probability, i]) => ({ label: GLYPH_CLASSES[i]!, probability })),
  };
}

/** Where each output pixel of a rotated view samples its source: the top-left source pixel and the bilinear fractions. */
interface RotationPlan {
  readonly x0: Int32Array;
  readonly y0: Int32Array;
  readonly fx: Float64Array;
  readonly fy: Float64Array;
}

const rotationPlans = new Map<number, RotationPlan>();

/** The sampling of a rotation by `radians`: the same for every glyph, so it is worked out once per angle. */
function rotationPlan(radians: number): RotationPlan {
  const cached = rotationPlans.get(radians);
  if (cached) return cached;
  const size = GLYPH_SIZE * GLYPH_SIZE;
  const plan: RotationPlan = { x0: new Int32Array(size), y0: new Int32Array(size), fx: new Float64Array(size), fy: new Float64Array(size) };
  const c = (GLYPH_SIZE - 1) / 2;
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  for (let y = 0; y < GLYPH_SIZE; y++) {
    for (let x = 0; x < GLYPH_SIZE; x++) {
      const sx = cos * (x - c) + sin * (y - c) + c;
      const sy = -sin * (x - c) + cos * (y - c) + c;
      const i = y * GLYPH_SIZE + x;
      plan.x0[i] = Math.floor(sx);
      plan.y0[i] = Math.floor(sy);
      plan.fx[i] = sx - plan.x0[i]!;
      plan.fy[i] = sy - plan.y0[i]!;
    }
  }
  rotationPlans.set(radians, plan);
  return plan;
}

/** The glyph's pixel at (x, y), 0 outside. */
function glyphAt(glyph: Float32Array, x: number, y: number): number {
  return x < 0 || y < 0 || x >= GLYPH_SIZE || y >= GLYPH_SIZE ? 0 : glyph[y * GLYPH_SIZE + x]!;
}

/** Rotates a 28x28 glyph about its centre by `radians` (bilinear, zero outside) into `out`, a view of the batch. */
function rotateGlyph(glyph: Float32Array, radians: number, out: Float32Array): void {
  const { x0, y0, fx, fy } = rotationPlan(radians);
  for (let i = 0; i < out.length; i++) {
    const ax = x0[i]!;
    const ay = y0[i]!;
    const bx = fx[i]!;
    const by = fy[i]!;
    out[i] =
      glyphAt(glyph, ax, ay) * (1 - bx) * (1 - by) +
      glyphAt(glyph, ax + 1, ay) * bx * (1 - by) +
      glyphAt(glyph, ax, ay + 1) * (1 - bx) * by +
      glyphAt(glyph, ax + 1, ay + 1) * bx * by;
  }
}
