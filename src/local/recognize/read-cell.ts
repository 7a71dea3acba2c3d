import type { CellReading } from "./cell-recognizer.js";
import type { GlyphClass, GlyphGuess } from "./digit-classifier.js";

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
  /**
   * Other counted values the glyphs could plausibly spell (each glyph swapped for a label the
   * classifier gave at least PLAUSIBLE_GLYPH). The sums must rule these out before a weak
   * reading is trusted. Dropped or extra glyphs are not covered.
   */
  readonly otherValues: readonly number[];
  /**
   * The whole-cell recognizer's next-best readings with their probabilities, most probable
   * first (the best reading excluded). Absent from the glyph reader.
   */
  readonly alternatives?: readonly CellAlternative[];
}

export interface CellAlternative {
  /** As written: digits, "-" or "" for nothing written. */
  readonly digits: string;
  /** Counted value (0 for a dash or nothing written). */
  readonly value: number;
  readonly probability: number;
}

/** More glyphs than this is not a vote count on these forms (a strike-through, initials, words). */
const MAX_GLYPHS = 4;

/** Turns the classifier's guesses for one cell's glyphs (left to right) into a reading. */
export function readCell(guesses: readonly GlyphGuess[]): LocalCellRead {
  if (guesses.length === 0) return { mark: "blank", digits: null, value: 0, confidence: 1, doubt: null, otherValues: [] };
  const confidence = Math.min(...guesses.map((g) => g.probability));
  if (guesses.length > MAX_GLYPHS) return unsure(`${guesses.length} marks`);
  const labels = guesses.map((g) => g.label);
  if (labels.includes("junk")) return unsure("a mark that is not a digit");
  if (labels.includes("-")) {
    if (labels.length === 1) return { mark: "dash", digits: "-", value: 0, confidence, doubt: null, otherValues: otherValues(guesses, 0) };
    return unsure("a dash among digits");
  }
  const digits = labels.join("");
  if (digits.length > 1 && digits.startsWith("0")) return unsure(`leading zero in "${digits}"`);
  const value = Number.parseInt(digits, 10);
  return { mark: "digits", digits, value, confidence, doubt: null, otherValues: otherValues(guesses, value) };
}

function unsure(doubt: string): LocalCellRead {
  return { mark: "unsure", digits: null, value: null, confidence: 0, doubt, otherValues: [] };
}

/** Per glyph, the runner-up labels considered; more adds little and multiplies the readings. */
const OTHERS_PER_GLYPH = 3;

/** Every value other than `value` that the glyphs' plausible labels spell, smallest first. */
function otherValues(guesses: readonly GlyphGuess[], value: number): number[] {
  const single = guesses.length === 1;
  const options = guesses.map((g) =>
    [g.label, ...g.others.slice(0, OTHERS_PER_GLYPH).map((o) => o.label)].filter((l) => l !== "junk" && (single || l !== "-")),
  );
  let spellings: string[] = [""];
  for (const labels of options) spellings = spellings.flatMap((prefix) => labels.map((l: GlyphClass) => prefix + l));
  const values = new Set<number>();
  for (const spelling of spellings) {
    if (spelling.length > 1 && spelling.startsWith("0")) continue;
    const other = spelling === "-" ? 0 : Number.parseInt(spelling, 10);
    if (other !== value) values.add(other);
  }
  return [...values].sort((a, b) => a - b);
}

/** A next-best value this probable is one the sums must rule out before a weak cell is trusted. */
export const PLAUSIBLE_CELL = 0.001;

/**
 * Turns the whole-cell recognizer's strings into a reading. Strings that count the same are
 * one reading and their probabilities add up: in a vote row "", "-" and "0" all count 0; a
 * ballot total left empty stays apart from one written 0. A string that is no count (a dash
 * among digits, a leading zero) takes probability from every reading and is never chosen.
 */
export function readWholeCell(reading: CellReading, isVoteRow: boolean): LocalCellRead {
  type Group = { value: number; blank: boolean; probability: number; top: string; topProbability: number };
  const groups = new Map<string, Group>();
  for (const guess of reading.guesses) {
    const value = countedValue(guess.text);
    if (value === null) continue;
    const blank = guess.text === "" && !isVoteRow;
    const key = blank ? "blank" : String(value);
    const group = groups.get(key) ?? { value, blank, probability: 0, top: guess.text, topProbability: 0 };
    group.probability += guess.probability;
    if (guess.probability > group.topProbability) {
      group.top = guess.text;
      group.topProbability = guess.probability;
    }
    groups.set(key, group);
  }
  const ranked = [...groups.values()].sort((a, b) => b.probability - a.probability);
  const best = ranked[0];
  const bestString = reading.guesses[0];
  if (!best || (bestString && countedValue(bestString.text) === null && bestString.probability > best.probability)) {
    return unsure(`no count reads well${bestString ? ` (best "${bestString.text}")` : ""}`);
  }
  const confidence = Math.min(1, best.probability);
  const others = ranked.slice(1);
  const alternatives = others.map((g) => ({ digits: g.top, value: g.value, probability: g.probability }));
  const otherValues = [...new Set(others.filter((g) => g.probability >= PLAUSIBLE_CELL).map((g) => g.value))]
    .filter((v) => v !== best.value)
    .sort((a, b) => a - b);
  const mark: LocalMark = best.top === "" ? "blank" : best.top === "-" ? "dash" : "digits";
  const digits = mark === "blank" ? null : best.top;
  return { mark, digits, value: best.value, confidence, doubt: null, otherValues, alternatives };
}

function countedValue(text: string): number | null {
  if (text === "" || text === "-") return 0;
  if (!/^\d+$/.test(text) || (text.length > 1 && text.startsWith("0"))) return null;
  return Number.parseInt(text, 10);
}
