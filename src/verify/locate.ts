import type { FormResult } from "../forms/form-result.js";
import { digitsDisagreeWithWords, wordsValue } from "./cell-checks.js";
import { allCells, type CellRef, describeRef, type LocatedCell, sameRef, sumValue } from "./cells.js";
import { digitAt, singleDigitPlace } from "./digit-slip.js";
import { type EvaluatedEquation, evaluate, formEquations } from "./sum-checks.js";

/**
 * How sure we are that a cell holds the misread, most likely first:
 * the words disagree with the digits and name the value that closes the failing sums; the words
 * disagree; one changed digit closes every failing sum and breaks no passing one; one changed
 * digit closes at least one failing sum.
 */
export const SUSPICION = ["words-fix", "words-disagree", "digit-fixes-all", "digit-fixes-some"] as const;
export type Suspicion = (typeof SUSPICION)[number];

export interface Suspect {
  readonly ref: CellRef;
  readonly suspicion: Suspicion;
  /** The value that would make the failing sum(s) add up, when one change explains them. */
  readonly likelyValue: number | null;
  readonly reason: string;
}

/** Digit pairs that handwriting mixes up (see the real-forms notes): used to break ties. */
const CONFUSABLE = new Set(["1-7", "1-2", "2-3", "5-6", "7-9", "4-9", "0-6", "0-8", "3-8", "5-8"]);

interface Scored {
  readonly suspect: Suspect;
  readonly order: number;
  /** Lower is likelier within the same suspicion. */
  readonly tieBreak: number;
}

function tieBreak(cell: LocatedCell["cell"], read: number, truth: number | null): number {
  let score = 0;
  if (cell.mark !== "digits") score += 4;
  if (truth === null) return score;
  const place = singleDigitPlace(read, truth);
  if (place !== null) {
    const length = String(read).length;
    if (place >= length) score += 2;
    const pair = [digitAt(read, place), digitAt(truth, place)].sort().join("-");
    if (!CONFUSABLE.has(pair)) score += 1;
  }
  return score;
}

/**
 * The cells most likely to hold the misread behind failing sums, most likely first. Only
 * hard (error) equations take part; a passing one clears the cells in it.
 */
export function locateSuspects(evaluated: readonly EvaluatedEquation[], cells: readonly LocatedCell[]): Suspect[] {
  const hard = evaluated.filter((e) => e.equation.severity === "error" && e.delta !== null);
  const failing = hard.filter((e) => e.delta !== 0);
  const passing = hard.filter((e) => e.delta === 0);
  if (failing.length === 0) return [];

  const scored: Scored[] = [];
  cells.forEach(({ ref, cell }, order) => {
    const read = sumValue(ref, cell);
    if (read === null) return;
    // The value each failing equation with this cell implies it should have.
    const implied: number[] = [];
    for (const e of failing) {
      const term = e.equation.terms.find((t) => sameRef(t.ref, ref));
      if (term && e.delta !== null) implied.push(read - term.sign * e.delta);
    }
    if (implied.length === 0) return;
    const agreed = implied.every((v) => v === implied[0]) ? (implied[0] ?? null) : null;
    const inAllFailing = implied.length === failing.length;
    const inPassing = passing.some((e) => e.equation.terms.some((t) => sameRef(t.ref, ref)));
    const words = wordsValue(cell);

    let suspicion: Suspicion | null = null;
    let reason = "";
    if (digitsDisagreeWithWords(cell)) {
      const fixes = agreed !== null && words === agreed;
      suspicion = fixes ? "words-fix" : "words-disagree";
      reason = fixes
        ? `digits "${cell.digits}" disagree with words "${cell.words}", and ${words} closes the gap`
        : `digits "${cell.digits}" disagree with words "${cell.words}"`;
    } else if (agreed !== null && inAllFailing && !inPassing && singleDigitPlace(read, agreed) !== null) {
      suspicion = "digit-fixes-all";
      reason = `${agreed} instead of ${read} (one digit) would close every failing sum`;
    } else if (implied.some((v) => singleDigitPlace(read, v) !== null)) {
      suspicion = "digit-fixes-some";
      const value = implied.find((v) => singleDigitPlace(read, v) !== null);
      reason = `${value} instead of ${read} (one digit) would close a failing sum`;
    }
    if (suspicion === null) return;
    const likelyValue = suspicion === "words-disagree" ? words : agreed;
    scored.push({
      suspect: { ref, suspicion, likelyValue, reason: `${describeRef(ref)}: ${reason}` },
      order,
      tieBreak: tieBreak(cell, read, likelyValue ?? agreed),
    });
  });

  scored.sort(
    (a, b) =>
      SUSPICION.indexOf(a.suspect.suspicion) - SUSPICION.indexOf(b.suspect.suspicion) || a.tieBreak - b.tieBreak || a.order - b.order,
  );
  return scored.map((s) => s.suspect);
}

/** The suspects that take part in one equation, in overall order. */
export function suspectsIn(evaluated: EvaluatedEquation, suspects: readonly Suspect[]): Suspect[] {
  return suspects.filter((s) => evaluated.equation.terms.some((t) => sameRef(t.ref, s.ref)));
}

/**
 * The cells most likely to hold a misread in a form, most likely first: the suspects behind
 * failing sums, then any other cell whose digits disagree with its words.
 */
export function locateMisreads(result: FormResult): Suspect[] {
  const cells = allCells(result);
  const suspects = locateSuspects(formEquations(result).map(evaluate), cells);
  const others = cells
    .filter(({ ref, cell }) => digitsDisagreeWithWords(cell) && !suspects.some((s) => sameRef(s.ref, ref)))
    .map(
      ({ ref, cell }): Suspect => ({
        ref,
        suspicion: "words-disagree",
        likelyValue: wordsValue(cell),
        reason: `${describeRef(ref)}: digits "${cell.digits}" disagree with words "${cell.words}"`,
      }),
    );
  return [...suspects, ...others];
}
