import type { GlyphGuess } from "./digit-classifier.js";

/** What the local reader makes of one number cell. */
export type LocalMark = "digits" | "dash" | "blank" | "unsure";

export interface LocalCellRead {
  readonly mark: LocalMark;
  /** Digits as read ("614"), "-" for a dash, null for blank or unsure. */
  readonly digits: string | null;
  /** Counted value: digits as a number; 0 for dash and blank; null when unsure. */
  readonly value: number | null;
  /** 0..1: the weakest glyph's probability (1 for a clean blank, 0 when unsure). */
  readonly confidence: number;
  /** Why the reader is unsure, when it is. */
  readonly doubt: string | null;
}

/** More glyphs than this is not a vote count on these forms (a strike-through, initials, words). */
const MAX_GLYPHS = 4;

/** Turns the classifier's guesses for one cell's glyphs (left to right) into a reading. */
export function readCell(guesses: readonly GlyphGuess[]): LocalCellRead {
  if (guesses.length === 0) return { mark: "blank", digits: null, value: 0, confidence: 1, doubt: null };
  const confidence = Math.min(...guesses.map((g) => g.probability));
  if (guesses.length > MAX_GLYPHS) return unsure(`${guesses.length} marks`);
  const labels = guesses.map((g) => g.label);
  if (labels.includes("junk")) return unsure("a mark that is not a digit");
  if (labels.includes("-")) {
    if (labels.length === 1) return { mark: "dash", digits: "-", value: 0, confidence, doubt: null };
    return unsure("a dash among digits");
  }
  const digits = labels.join("");
  if (digits.length > 1 && digits.startsWith("0")) return unsure(`leading zero in "${digits}"`);
  return { mark: "digits", digits, value: Number.parseInt(digits, 10), confidence, doubt: null };
}

function unsure(doubt: string): LocalCellRead {
  return { mark: "unsure", digits: null, value: null, confidence: 0, doubt };
}
