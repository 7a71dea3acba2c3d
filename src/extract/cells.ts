import type { NumberCell } from "../forms/form-result.js";
import { parseThaiNumber, readNumberText } from "../forms/thai-number.js";
import type { CellReply } from "./model-reply.js";

/**
 * A model's cell reading as a result cell. The accepted value is the digits' value: the words are
 * a cross-check, never a silent replacement. Only when the digits part is blank and the words are
 * written does the value come from the words (a words-only cell, reported by assembly).
 */
export function cellFromReply(reply: CellReply): NumberCell {
  const fromDigits = readNumberText(reply.digits);
  if (fromDigits.mark === "blank") {
    const fromWords = readNumberText(reply.words);
    if (fromWords.mark !== "blank") {
      return { digits: reply.digits, words: reply.words, value: fromWords.value, mark: fromWords.mark };
    }
    // Blank keeps value null (as readNumberText gives); a blank row still counts 0 votes (countedValue).
    return { digits: reply.digits, words: reply.words, value: null, mark: "blank" };
  }
  return { digits: reply.digits, words: reply.words, value: fromDigits.value, mark: fromDigits.mark };
}

/** A cell whose digits part is blank but whose words are written. */
export function isWordsOnly(reply: CellReply): boolean {
  return readNumberText(reply.digits).mark === "blank" && readNumberText(reply.words).mark !== "blank";
}

/** Two readings of one cell agree when they say the same thing (same mark and value), however formatted. */
export function sameReading(a: NumberCell | null, b: NumberCell | null): boolean {
  if (a === null || b === null) return a === b;
  return a.mark === b.mark && a.value === b.value;
}

/** Whether the words confirm the digits: both present and equal, or a dash/blank with nothing contradicting it. */
export function wordsConfirmDigits(cell: NumberCell): boolean {
  if (cell.mark === "illegible") return false;
  if (cell.mark === "blank") return cell.words === null || readNumberText(cell.words).mark === "blank";
  if (cell.words === null) return false;
  const words = readNumberText(cell.words);
  if (cell.mark === "dash") return words.mark === "dash" || words.value === 0;
  return parseThaiNumber(cell.words) === cell.value;
}

/** Short text of a cell for check details: digits (words). */
export function describeCell(cell: NumberCell | null): string {
  if (cell === null) return "absent";
  if (cell.mark === "blank") return "blank";
  const digits = cell.digits ?? "—";
  return cell.words ? `${digits} (${cell.words})` : digits;
}
