import { arabicDigitsToThai } from "../forms/thai-digits.js";
import { formatThaiNumber } from "../forms/thai-number-format.js";
import type { Rng } from "./rng.js";

/** How a writer puts digits on the form: Arabic or Thai numerals, with or without a thousands comma. */
export interface DigitStyle {
  readonly thaiDigits: boolean;
  readonly thousandsComma: boolean;
}

export function writeDigits(value: number, style: DigitStyle): string {
  const plain = style.thousandsComma && value >= 1000 ? value.toLocaleString("en-US") : String(value);
  return style.thaiDigits ? arabicDigitsToThai(plain) : plain;
}

/** The value of digits as written (Arabic or Thai, commas allowed). */
export function valueOfWrittenDigits(digits: string): number {
  const arabic = digits.replace(/[๐-๙]/g, (d) => String(d.charCodeAt(0) - 0x0e50)).replace(/,/g, "");
  return Number.parseInt(arabic, 10);
}

export type WordsContext = "votes" | "ballots";

const VOTE_SUFFIXES = ["คะแนน", "ถ้วน"] as const;
const BALLOT_SUFFIXES = ["บัตร", "ถ้วน", "บัตรถ้วน"] as const;

/**
 * Thai number words as a person writes them: mostly the canonical spelling, sometimes with a
 * trailing บัตร/คะแนน/ถ้วน, "ร้อย" for "หนึ่งร้อย", "หนึ่ง" for a final "เอ็ด", or ศุนย์ for ศูนย์.
 */
export function writeWords(value: number, context: WordsContext, rng: Rng): string {
  let words = formatThaiNumber(value);
  if (value === 0 && rng.chance(0.3)) words = "ศุนย์";
  if (words.startsWith("หนึ่งร้อย") && rng.chance(0.3)) words = words.slice("หนึ่ง".length);
  else if (words.startsWith("หนึ่งพัน") && rng.chance(0.2)) words = words.slice("หนึ่ง".length);
  if (words.endsWith("เอ็ด") && rng.chance(0.25)) words = `${words.slice(0, -"เอ็ด".length)}หนึ่ง`;
  if (rng.chance(0.22)) words += rng.pick(context === "votes" ? VOTE_SUFFIXES : BALLOT_SUFFIXES);
  return words;
}

/** Changes exactly one digit of a non-negative integer (never adds a leading zero). */
export function slipOneDigit(value: number, rng: Rng): number {
  const digits = String(value).split("");
  const position = rng.int(0, digits.length - 1);
  const old = Number(digits[position]);
  const lowest = position === 0 && digits.length > 1 ? 1 : 0;
  const choices: number[] = [];
  for (let d = lowest; d <= 9; d++) if (d !== old) choices.push(d);
  digits[position] = String(rng.pick(choices));
  return Number(digits.join(""));
}
