import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CTC_ALPHABET, decodeStrings, logSoftmaxRows, stringLogProb } from "./ctc-decode.js";

const CLASSES = CTC_ALPHABET.length + 1;

/** Logits that spell `path` (one symbol per step, "_" = blank) with the given margin. */
function logitsFor(path: string, margin = 8): Float32Array {
  const out = new Float32Array(path.length * CLASSES);
  [...path].forEach((c, t) => {
    out[t * CLASSES + (c === "_" ? 0 : CTC_ALPHABET.indexOf(c) + 1)] = margin;
  });
  return out;
}

describe("CTC decoding", () => {
  it("collapses repeats and blanks into the string", () => {
    const steps = 8;
    const rows = logSoftmaxRows(logitsFor("_77_0_0_"), steps, CLASSES);
    const [best] = decodeStrings(rows, steps, CLASSES);
    expect(best?.text).toBe("700");
    expect(best?.probability).toBeGreaterThan(0.9);
  });

  it("reads an empty cell as the empty string", () => {
    const rows = logSoftmaxRows(logitsFor("______"), 6, CLASSES);
    expect(decodeStrings(rows, 6, CLASSES)[0]?.text).toBe("");
  });

  it("offers the next-best string when one step is ambiguous", () => {
    const logits = logitsFor("_1_4_");
    logits[3 * CLASSES + CTC_ALPHABET.indexOf("9") + 1] = 8; // step 3: 4 or 9 alike
    const rows = logSoftmaxRows(logits, 5, CLASSES);
    const texts = decodeStrings(rows, 5, CLASSES).map((g) => g.text);
    expect(texts.slice(0, 2).sort()).toEqual(["14", "19"]);
  });

  it("gives probabilities that never sum past 1", () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -6, max: 6, noNaN: true }), { minLength: 6 * CLASSES, maxLength: 6 * CLASSES }), (values) => {
        const rows = logSoftmaxRows(Float32Array.from(values), 6, CLASSES);
        const guesses = decodeStrings(rows, 6, CLASSES);
        const total = guesses.reduce((s, g) => s + g.probability, 0);
        expect(total).toBeLessThanOrEqual(1 + 1e-9);
        for (const g of guesses) expect(Math.exp(stringLogProb(rows, 6, CLASSES, g.text))).toBeCloseTo(g.probability, 12);
      }),
      { numRuns: 50 },
    );
  });
});
