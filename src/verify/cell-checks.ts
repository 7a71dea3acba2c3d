import type { Check, CheckRule, NumberCell } from "../forms/form-result.js";
import { parseThaiNumber } from "../forms/thai-number.js";
import { type CellRef, describeRef, type LocatedCell, refsForCheck } from "./cells.js";

/** The value the digits column says, or null when there are no digits or they do not parse. */
export function digitsValue(cell: NumberCell): number | null {
  return cell.digits === null ? null : parseThaiNumber(cell.digits);
}

/** The value the words column says, or null when there are no words or they do not parse. */
export function wordsValue(cell: NumberCell): number | null {
  return cell.words === null ? null : parseThaiNumber(cell.words);
}

/** True when digits and words are both readable and name different numbers. */
export function digitsDisagreeWithWords(cell: NumberCell): boolean {
  const fromDigits = digitsValue(cell) ?? (cell.digits === null ? cell.value : null);
  const fromWords = wordsValue(cell);
  return fromDigits !== null && fromWords !== null && fromDigits !== fromWords;
}

function failing(rule: CheckRule, ref: CellRef, detail: string, severity: Check["severity"] = "error"): Check {
  return { rule, ok: false, severity, detail: `${describeRef(ref)}: ${detail}`, ...refsForCheck([ref]) };
}

function markProblem({ cell }: LocatedCell): string | null {
  const { mark, value } = cell;
  if (value !== null && (!Number.isInteger(value) || value < 0)) return `value ${value} is not a non-negative integer`;
  if (mark === "digits" && value === null) return "digits were read but no value was accepted";
  if (mark === "dash" && value !== null && value !== 0) return `a dash must be 0, not ${value}`;
  if (mark === "blank" && value !== null && value !== 0) return `a blank cell must not carry the value ${value}`;
  if (mark === "illegible" && value !== null) return `an illegible cell must not carry the value ${value}`;
  return null;
}

/**
 * Checks every cell on its own: a sane value for its mark, digits that parse, a value that matches
 * the digits, digits that agree with the words, and no illegible cells. A value a person corrected
 * or confirmed is judged by the sums only: the reading it replaced is kept as evidence, not checked.
 */
export function checkCells(cells: readonly LocatedCell[]): Check[] {
  const checks: Check[] = [];
  const counts = { compared: 0, withoutWords: [] as CellRef[] };
  const failures = { value: 0, digits: 0, words: 0, legible: 0 };

  for (const located of cells) {
    const { ref, cell } = located;
    const problem = markProblem(located);
    if (problem) {
      checks.push(failing("cell-value", ref, problem));
      failures.value++;
    }

    if (cell.mark === "illegible") {
      const what = ref.kind === "row" ? "the vote count is illegible; unknown is not zero" : "illegible";
      checks.push(failing("cell-legible", ref, what));
      failures.legible++;
    }

    // A person's value is a witness of its own: the digits and words as first read no longer judge it.
    if (cell.edit) continue;
    const fromDigits = digitsValue(cell);
    if (cell.digits !== null && fromDigits === null) {
      checks.push(failing("digits-parse", ref, `digits "${cell.digits}" are not a number`));
      failures.digits++;
    } else if (fromDigits !== null && cell.value !== null && fromDigits !== cell.value && !cell.edit) {
      checks.push(failing("digits-parse", ref, `value ${cell.value} does not match the digits "${cell.digits}"`));
      failures.digits++;
    }

    if (cell.words === null) {
      if (cell.mark === "digits") counts.withoutWords.push(ref);
      continue;
    }
    const fromWords = wordsValue(cell);
    const against = fromDigits ?? (cell.digits === null ? cell.value : null);
    if (fromWords === null) {
      checks.push(failing("words-parse", ref, `words "${cell.words}" could not be read as a number`, "warning"));
    } else if (against !== null) {
      counts.compared++;
      if (fromWords !== against) {
        const digitsText = cell.digits === null ? `value ${against}` : `digits "${cell.digits}" (${against})`;
        checks.push(failing("digits-words", ref, `${digitsText} disagree with words "${cell.words}" (${fromWords})`));
        failures.words++;
      }
    }
  }

  const passing = (rule: CheckRule, detail: string): Check => ({ rule, ok: true, severity: "error", detail });
  if (failures.value === 0) checks.push(passing("cell-value", `all ${cells.length} cells hold a sane value for their mark`));
  if (failures.legible === 0) checks.push(passing("cell-legible", "no illegible cells"));
  if (failures.digits === 0) checks.push(passing("digits-parse", "every digits entry parses and matches its value"));
  if (failures.words === 0) checks.push(passing("digits-words", `digits and words agree in ${counts.compared} cells`));
  if (counts.withoutWords.length > 0) {
    checks.push({
      rule: "words-missing",
      ok: true,
      severity: "info",
      detail: `${counts.withoutWords.length} cells have digits but no words: ${counts.withoutWords.map(describeRef).join(", ")}`,
      ...refsForCheck(counts.withoutWords),
    });
  }
  return checks;
}
