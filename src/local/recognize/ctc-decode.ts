/** CTC classes of the cell recognizer: 0 is the blank, then the digits 0-9, then the dash. */
export const CTC_ALPHABET = "0123456789-";

export interface StringGuess {
  readonly text: string;
  /** P(text | cell) summed over every alignment (exact, by the CTC forward pass). */
  readonly probability: number;
}

/** Per time step log-probabilities, T rows of CTC_ALPHABET.length + 1. */
export function logSoftmaxRows(logits: Float32Array, steps: number, classes: number): Float64Array {
  const out = new Float64Array(steps * classes);
  for (let t = 0; t < steps; t++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < classes; k++) max = Math.max(max, logits[t * classes + k]!);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(logits[t * classes + k]! - max);
    const log = max + Math.log(sum);
    for (let k = 0; k < classes; k++) out[t * classes + k] = logits[t * classes + k]! - log;
  }
  return out;
}

function logAdd(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  const max = Math.max(a, b);
  return max + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/**
 * The most probable strings by prefix beam search, then each rescored exactly: the beam finds
 * the candidates, the forward pass gives the probability the reader reports.
 */
export function decodeStrings(logProbs: Float64Array, steps: number, classes: number, beam = 12, keep = 8): StringGuess[] {
  type Entry = { blank: number; other: number };
  let beams = new Map<string, Entry>([["", { blank: 0, other: Number.NEGATIVE_INFINITY }]]);
  for (let t = 0; t < steps; t++) {
    const next = new Map<string, Entry>();
    const entry = (prefix: string): Entry => {
      let e = next.get(prefix);
      if (!e) {
        e = { blank: Number.NEGATIVE_INFINITY, other: Number.NEGATIVE_INFINITY };
        next.set(prefix, e);
      }
      return e;
    };
    const row = t * classes;
    for (const [prefix, { blank, other }] of beams) {
      const total = logAdd(blank, other);
      const stay = entry(prefix);
      stay.blank = logAdd(stay.blank, total + logProbs[row]!);
      const last = prefix.length > 0 ? CTC_ALPHABET.indexOf(prefix[prefix.length - 1]!) + 1 : -1;
      if (last > 0) stay.other = logAdd(stay.other, other + logProbs[row + last]!);
      for (let k = 1; k < classes; k++) {
        const p = logProbs[row + k]!;
        if (p < -12) continue;
        const extended = entry(prefix + CTC_ALPHABET[k - 1]!);
        // Repeating the last symbol needs a blank between.
        extended.other = logAdd(extended.other, (k === last ? blank : total) + p);
      }
    }
    beams = new Map([...next].sort((a, b) => logAdd(b[1].blank, b[1].other) - logAdd(a[1].blank, a[1].other)).slice(0, beam));
  }
  return [...beams.keys()]
    .map((text) => ({ text, probability: Math.exp(stringLogProb(logProbs, steps, classes, text)) }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, keep);
}

/** log P(text) under CTC: the forward pass over text with blanks between and around. */
export function stringLogProb(logProbs: Float64Array, steps: number, classes: number, text: string): number {
  const labels = [...text].map((c) => CTC_ALPHABET.indexOf(c) + 1);
  if (labels.some((k) => k <= 0)) return Number.NEGATIVE_INFINITY;
  const states = 2 * labels.length + 1;
  const symbol = (s: number): number => (s % 2 === 0 ? 0 : labels[(s - 1) / 2]!);
  let alpha = new Float64Array(states).fill(Number.NEGATIVE_INFINITY);
  alpha[0] = logProbs[0]!;
  if (states > 1) alpha[1] = logProbs[symbol(1)]!;
  for (let t = 1; t < steps; t++) {
    const next = new Float64Array(states).fill(Number.NEGATIVE_INFINITY);
    for (let s = 0; s < states; s++) {
      let a = alpha[s]!;
      if (s >= 1) a = logAdd(a, alpha[s - 1]!);
      if (s >= 2 && symbol(s) !== 0 && symbol(s) !== symbol(s - 2)) a = logAdd(a, alpha[s - 2]!);
      next[s] = a + logProbs[t * classes + symbol(s)]!;
    }
    alpha = next;
  }
  return states > 1 ? logAdd(alpha[states - 1]!, alpha[states - 2]!) : alpha[0]!;
}
