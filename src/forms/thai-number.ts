import type { CellMark } from "./form-result.js";
import { thaiDigitsToArabic } from "./thai-digits.js";

/**
 * Parser for numbers as they are handwritten on tally forms: Thai number words
 * ("หกร้อยสิบสี่บัตร") or digit strings ("614", "๖๑๔", "1,234"). It never guesses:
 * anything that is not clearly one number gives null.
 */

const DASHES = /^[-–—−‐‑‒―]+$/;
/** Whitespace, zero-width characters, and the punctuation writers scatter around a value. */
const STRAY = /[\s\u200b-\u200d\ufeff.()[\]{}'"“”‘’]/g;
/** Words written after the value: "บัตร", "คะแนน", "ถ้วน", "บัตรถ้วน", "คะแนนถ้วน". */
const SUFFIX = /(?:บัตร|คะแนน|เสียง)?ถ้วน$|(?:บัตร|คะแนน|เสียง)$/;

const DIGIT_WORDS: ReadonlyMap<string, number> = new Map([
  ["หนึ่ง", 1],
  ["สอง", 2],
  ["สาม", 3],
  ["สี่", 4],
  ["ห้า", 5],
  ["หก", 6],
  ["เจ็ด", 7],
  ["แปด", 8],
  ["เก้า", 9],
]);
/** Place words within one ล้าน group, as powers of ten. */
const PLACE_WORDS: ReadonlyMap<string, number> = new Map([
  ["สิบ", 1],
  ["ร้อย", 2],
  ["พัน", 3],
  ["หมื่น", 4],
  ["แสน", 5],
]);
const ZERO_WORDS = ["ศูนย์", "ศุนย์"];
const MILLION = "ล้าน";
const ONE_AFTER_PLACE = "เอ็ด";
const TWENTY_PREFIX = "ยี่";

type Token =
  | { readonly kind: "digit"; readonly value: number; readonly word: string }
  | { readonly kind: "place"; readonly power: number }
  | { readonly kind: "ed" }
  | { readonly kind: "yi" }
  | { readonly kind: "million" };

const VOCABULARY: readonly (readonly [string, Token])[] = [
  ...[...DIGIT_WORDS].map(([word, value]) => [word, { kind: "digit", value, word }] as const),
  ...[...PLACE_WORDS].map(([word, power]) => [word, { kind: "place", power }] as const),
  [ONE_AFTER_PLACE, { kind: "ed" }],
  [TWENTY_PREFIX, { kind: "yi" }],
  [MILLION, { kind: "million" }],
];

function tokenize(words: string): Token[] | null {
  const tokens: Token[] = [];
  let at = 0;
  while (at < words.length) {
    let best: readonly [string, Token] | undefined;
    for (const entry of VOCABULARY) {
      if (words.startsWith(entry[0], at) && (!best || entry[0].length > best[0].length)) best = entry;
    }
    if (!best) return null;
    tokens.push(best[1]);
    at += best[0].length;
  }
  return tokens;
}

/**
 * Value of one group below ล้าน (0..999,999). Places must fall strictly; a place without a digit
 * before it means one of it (สิบ, ร้อย = หนึ่งร้อย); ยี่ only before สิบ; เอ็ด only as the units after
 * a place. `hasHigher` says a ล้าน group came before, so a lone เอ็ด is allowed.
 */
function groupValue(tokens: readonly Token[], hasHigher: boolean): number | null {
  let value = 0;
  let lastPower = 6;
  let pending: number | null = null;
  let pendingWord: Token | null = null;
  let sawUnits = false;
  for (const token of tokens) {
    if (sawUnits) return null;
    switch (token.kind) {
      case "digit":
      case "yi":
        if (pending !== null) return null;
        pending = token.kind === "yi" ? 2 : token.value;
        pendingWord = token;
        break;
      case "place": {
        if (token.power >= lastPower) return null;
        if (pendingWord?.kind === "yi" && token.power !== 1) return null;
        // Thai says ยี่สิบ and สิบ, never สองสิบ or หนึ่งสิบ.
        if (pendingWord?.kind === "digit" && token.power === 1 && (pending === 1 || pending === 2)) return null;
        value += (pending ?? 1) * 10 ** token.power;
        lastPower = token.power;
        pending = null;
        pendingWord = null;
        break;
      }
      case "ed":
        if (pending !== null || (lastPower === 6 && !hasHigher)) return null;
        value += 1;
        sawUnits = true;
        break;
      case "million":
        return null;
    }
  }
  if (pendingWord?.kind === "yi") return null;
  if (pending !== null) value += pending;
  return value;
}

function parseWords(words: string): number | null {
  if (ZERO_WORDS.includes(words)) return 0;
  const tokens = tokenize(words);
  if (!tokens || tokens.length === 0) return null;
  // Split into groups at ล้าน: "สองล้านห้าแสน" = [สอง] ล้าน [ห้าแสน]; "หนึ่งล้านล้าน" = 10^12.
  const groups: Token[][] = [[]];
  for (const token of tokens) {
    if (token.kind === "million") groups.push([]);
    else groups.at(-1)?.push(token);
  }
  const [first, ...rest] = groups;
  if (!first) return null;
  // A bare ล้าน is one million, as a bare ร้อย is one hundred.
  let value = first.length === 0 && rest.length > 0 ? 1 : groupValue(first, false);
  if (value === null || value === 0) return null;
  for (const group of rest) {
    const next = group.length === 0 ? 0 : groupValue(group, true);
    if (next === null) return null;
    value = value * 1_000_000 + next;
  }
  return Number.isSafeInteger(value) ? value : null;
}

function parseDigits(text: string): number | null {
  const digits = thaiDigitsToArabic(text);
  if (!/^\d+$/.test(digits) && !/^\d{1,3}(,\d{3})+$/.test(digits)) return null;
  const value = Number(digits.replaceAll(",", ""));
  return Number.isSafeInteger(value) ? value : null;
}

function clean(text: string): string {
  return text.normalize("NFC").replace(STRAY, "");
}

function stripSuffix(text: string): string {
  const match = SUFFIX.exec(text);
  return match ? text.slice(0, match.index) : text;
}

/**
 * The integer written in a cell, from Thai number words or digits, or null when the text is not
 * clearly one number. A dash ("-", "–", "—") is zero. Empty text is null: missing is not zero.
 */
export function parseThaiNumber(text: string): number | null {
  // "12.5" or "1.234" could be a decimal or a foreign separator: not ours to guess.
  if (/\d\s*\.\s*\d/.test(thaiDigitsToArabic(text))) return null;
  const cleaned = clean(text);
  if (cleaned === "") return null;
  if (DASHES.test(cleaned)) return 0;
  const core = stripSuffix(cleaned);
  if (core === "") return null;
  if (/^[\d๐-๙,]+$/.test(core)) return parseDigits(core);
  return parseWords(core);
}

export interface NumberReading {
  readonly mark: CellMark;
  readonly value: number | null;
}

/**
 * Reads a cell's text and keeps how it was filled in: a dash is zero votes but stays a dash,
 * an empty cell is blank (null), and text that is not a number is illegible (null, never zero).
 */
export function readNumberText(text: string | null): NumberReading {
  if (text === null) return { mark: "blank", value: null };
  const cleaned = clean(text);
  if (cleaned === "") return { mark: "blank", value: null };
  if (DASHES.test(cleaned)) return { mark: "dash", value: 0 };
  const value = parseThaiNumber(text);
  return value === null ? { mark: "illegible", value: null } : { mark: "digits", value };
}
