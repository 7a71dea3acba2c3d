import * as ort from "onnxruntime-node";
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

/** The committed glyph classifier: src/local/model/digits.onnx. */
export function defaultModelPath(): string {
  return committedModelPath("digits.onnx");
}

/** Loads the ONNX glyph classifier on the CPU. */
export async function loadDigitClassifier(modelPath = defaultModelPath()): Promise<DigitClassifier> {
  const session = await ort.InferenceSession.create(modelPath, {
    executionProviders: ["cpu"],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
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
          batch.set(angle === 0 ? glyph : rotateGlyph(glyph, angle), (i * views + v) * pixels);
        });
      });
      const input = new ort.Tensor("float32", batch, [glyphs.length * views, 1, GLYPH_SIZE, GLYPH_SIZE]);
      const result = await session.run({ [inputName]: input });
      const logits = result[outputName]?.data as Float32Array | undefined;
      if (!logits) throw new Error("digit classifier returned no logits");
      const classes = GLYPH_CLASSES.length;
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

/** Rotates a 28x28 glyph about its centre by `radians` (bilinear, zero outside). */
export function rotateGlyph(glyph: Float32Array, radians: number): Float32Array {
  const out = new Float32Array(GLYPH_SIZE * GLYPH_SIZE);
  const c = (GLYPH_SIZE - 1) / 2;
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  for (let y = 0; y < GLYPH_SIZE; y++) {
    for (let x = 0; x < GLYPH_SIZE; x++) {
      const sx = cos * (x - c) + sin * (y - c) + c;
      const sy = -sin * (x - c) + cos * (y - c) + c;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const at = (xx: number, yy: number): number =>
        xx < 0 || yy < 0 || xx >= GLYPH_SIZE || yy >= GLYPH_SIZE ? 0 : glyph[yy * GLYPH_SIZE + xx]!;
      out[y * GLYPH_SIZE + x] =
        at(x0, y0) * (1 - fx) * (1 - fy) + at(x0 + 1, y0) * fx * (1 - fy) + at(x0, y0 + 1) * (1 - fx) * fy + at(x0 + 1, y0 + 1) * fx * fy;
    }
  }
  return out;
}
