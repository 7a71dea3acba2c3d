import type { Check, CheckRule, FormResult, NumberCell, Severity, TotalKey } from "../forms/form-result.js";
import { isSingleDigitAmount } from "./digit-slip.js";
import { type CellRef, cellIdOf, describeRef, refsForCheck, rowRef, sumValue, TOTAL_LABELS, totalFilled, totalRef } from "./cells.js";

/** One side of an equation: a cell added (+1) or subtracted (−1). */
export interface SumTerm {
  readonly ref: CellRef;
  readonly cell: NumberCell;
  readonly sign: 1 | -1;
}

/** left = right, written as terms whose signed values sum to zero on a consistent form. */
export interface Equation {
  readonly rule: CheckRule;
  readonly severity: Severity;
  readonly leftLabel: string;
  readonly rightLabel: string;
  readonly terms: readonly SumTerm[];
}

export interface EvaluatedEquation {
  readonly equation: Equation;
  /** left − right, or null when a cell is unknown. */
  readonly delta: number | null;
  readonly left: number | null;
  readonly right: number | null;
  readonly unknown: readonly CellRef[];
}

function side(terms: readonly SumTerm[], sign: 1 | -1): { value: number | null; unknown: CellRef[] } {
  let value = 0;
  const unknown: CellRef[] = [];
  for (const term of terms) {
    if (term.sign !== sign) continue;
    const counted = sumValue(term.ref, term.cell);
    if (counted === null) unknown.push(term.ref);
    else value += counted;
  }
  return { value: unknown.length > 0 ? null : value, unknown };
}

export function evaluate(equation: Equation): EvaluatedEquation {
  const left = side(equation.terms, 1);
  const right = side(equation.terms, -1);
  const delta = left.value === null || right.value === null ? null : left.value - right.value;
  return { equation, delta, left: left.value, right: right.value, unknown: [...left.unknown, ...right.unknown] };
}

/**
 * The line that plays "ballots used" in good + bad + no-vote = used. On 5/16 and 5/17 forms item 1
 * (ballots received) is the ballots counted in the set; when a 5/17 leaves item 1 blank, the
 * ballots found in the envelopes stand in for it.
 */
export function ballotsUsedKey(result: FormResult): TotalKey | null {
  const candidates: TotalKey[] =
    result.formCode === "5/17"
      ? ["ballotsUsed", "ballotsReceived", "ballotsInEnvelopes"]
      : result.formCode === "5/16"
        ? ["ballotsUsed", "ballotsReceived"]
        : ["ballotsUsed"];
  return candidates.find((key) => totalFilled(result, key)) ?? null;
}

function total(result: FormResult, key: TotalKey, sign: 1 | -1): SumTerm[] {
  const cell = result.totals[key];
  return cell ? [{ ref: totalRef(key), cell, sign }] : [];
}

/** The equations a consistent form satisfies, given the lines it has. */
export function formEquations(result: FormResult): Equation[] {
  const { totals } = result;
  const votes: SumTerm[] = result.votes.map((row) => ({ ref: rowRef(row.number), cell: row, sign: 1 }));
  const equations: Equation[] = [];
  if (totals.good) {
    equations.push({
      rule: "votes-sum-good",
      severity: "error",
      leftLabel: "the votes",
      rightLabel: TOTAL_LABELS.good,
      terms: [...votes, ...total(result, "good", -1)],
    });
  }
  if (totals.voteTotal) {
    equations.push({
      rule: "vote-total-sum",
      severity: "error",
      leftLabel: "the votes",
      rightLabel: TOTAL_LABELS.voteTotal,
      terms: [...votes, ...total(result, "voteTotal", -1)],
    });
    if (totals.good) {
      equations.push({
        rule: "vote-total-good",
        severity: "error",
        leftLabel: TOTAL_LABELS.voteTotal,
        rightLabel: TOTAL_LABELS.good,
        terms: [...total(result, "voteTotal", 1), ...total(result, "good", -1)],
      });
    }
  }
  const usedKey = ballotsUsedKey(result);
  if (usedKey && totals.good && totals.bad && totals.noVote) {
    equations.push({
      rule: "ballots-sum",
      severity: "error",
      leftLabel: "good + bad + no-vote",
      rightLabel: TOTAL_LABELS[usedKey],
      terms: [...total(result, "good", 1), ...total(result, "bad", 1), ...total(result, "noVote", 1), ...total(result, usedKey, -1)],
    });
  }
  if (totals.ballotsUsed && totals.ballotsRemaining && totals.ballotsReceived) {
    equations.push({
      rule: "ballots-received-balance",
      severity: "error",
      leftLabel: "ballots used + remaining",
      rightLabel: TOTAL_LABELS.ballotsReceived,
      terms: [...total(result, "ballotsUsed", 1), ...total(result, "ballotsRemaining", 1), ...total(result, "ballotsReceived", -1)],
    });
  }
  return equations;
}

/** Equations that hold on real forms but may legitimately be off by a little: warnings only. */
export function softEquations(result: FormResult): Equation[] {
  const equations: Equation[] = [];
  if (result.formCode === "5/18" && totalFilled(result, "votersTurnedUp") && totalFilled(result, "ballotsUsed")) {
    equations.push({
      rule: "turnout-matches-ballots-used",
      severity: "warning",
      leftLabel: TOTAL_LABELS.votersTurnedUp,
      rightLabel: TOTAL_LABELS.ballotsUsed,
      terms: [...total(result, "votersTurnedUp", 1), ...total(result, "ballotsUsed", -1)],
    });
  }
  if (result.formCode === "5/17" && totalFilled(result, "envelopes") && totalFilled(result, "ballotsInEnvelopes")) {
    equations.push({
      rule: "envelopes-match-ballots",
      severity: "warning",
      leftLabel: TOTAL_LABELS.envelopes,
      rightLabel: TOTAL_LABELS.ballotsInEnvelopes,
      terms: [...total(result, "envelopes", 1), ...total(result, "ballotsInEnvelopes", -1)],
    });
  }
  if (result.formCode === "5/17" && totalFilled(result, "ballotsInEnvelopes") && totalFilled(result, "ballotsReceived")) {
    equations.push({
      rule: "envelope-ballots-match-received",
      severity: "warning",
      leftLabel: TOTAL_LABELS.ballotsInEnvelopes,
      rightLabel: TOTAL_LABELS.ballotsReceived,
      terms: [...total(result, "ballotsInEnvelopes", 1), ...total(result, "ballotsReceived", -1)],
    });
  }
  return equations;
}

const signed = (n: number): string => (n > 0 ? `+${n}` : `${n}`);

export function equationCheck(evaluated: EvaluatedEquation): Check {
  const { equation, delta, left, right, unknown } = evaluated;
  const base = { rule: equation.rule, severity: equation.severity };
  if (delta === null) {
    // An unknown cell has its own failing check; here we only say this sum could not be checked.
    return {
      ...base,
      ok: false,
      severity: "warning",
      detail: `cannot check ${equation.leftLabel} = ${equation.rightLabel}: ${unknown.map(describeRef).join(", ")} unknown`,
      ...refsForCheck(unknown),
    };
  }
  if (delta === 0) {
    return { ...base, ok: true, detail: `${equation.leftLabel} (${left}) = ${equation.rightLabel} (${right})` };
  }
  const failed: Check = {
    ...base,
    ok: false,
    detail: `${equation.leftLabel} come to ${left} but ${equation.rightLabel} are ${right} (off by ${signed(delta)}${
      isSingleDigitAmount(delta) ? ", as one misread digit would be" : ""
    })`,
  };
  // Hard sums get their suspects from locate.ts; a soft one just names its own cells.
  return equation.severity === "error" ? failed : { ...failed, ...refsForCheck(equation.terms.map((t) => t.ref)) };
}

/** Checks a needed line is there at all. */
export function presenceChecks(result: FormResult): Check[] {
  const checks: Check[] = [];
  if (!totalFilled(result, "good") && result.totals.good?.mark !== "illegible") {
    checks.push({ rule: "good-present", ok: false, severity: "error", detail: "good ballots were not read: the votes cannot be checked" });
  }
  if (!ballotsUsedKey(result)) {
    checks.push({
      rule: "ballots-used-present",
      ok: false,
      severity: "warning",
      detail: "no ballots-used line was read: good + bad + no-vote cannot be checked",
    });
  } else if (result.totals.good && (!result.totals.bad || !result.totals.noVote)) {
    checks.push({
      rule: "ballots-sum",
      ok: false,
      severity: "warning",
      detail: "bad or no-vote ballots were not read: good + bad + no-vote cannot be checked",
    });
  }
  return checks;
}

function atMost(rule: CheckRule, severity: Severity, result: FormResult, small: TotalKey, large: TotalKey): Check | null {
  const smallCell = result.totals[small];
  const largeCell = result.totals[large];
  if (!smallCell || !largeCell) return null;
  const a = sumValue(totalRef(small), smallCell);
  const b = sumValue(totalRef(large), largeCell);
  if (a === null || b === null) return null;
  const ok = a <= b;
  const relation = ok ? "≤" : ">";
  return {
    rule,
    ok,
    severity,
    detail: `${TOTAL_LABELS[small]} (${a}) ${relation} ${TOTAL_LABELS[large]} (${b})`,
    ...(ok ? {} : refsForCheck([totalRef(small), totalRef(large)])),
  };
}

/** Inequalities: ballots used ≤ received (hard), voters who came ≤ the register (soft). */
export function inequalityChecks(result: FormResult): Check[] {
  return [
    atMost("ballots-used-within-received", "error", result, "ballotsUsed", "ballotsReceived"),
    atMost("turnout-within-register", "warning", result, "votersTurnedUp", "eligibleVoters"),
  ].filter((check): check is Check => check !== null);
}

/** Enough to tell one solution from several. */
const MANY = 2;

/** Assignments tried at most over the total lines before the answer is taken as "several". */
const MAX_TOTAL_ASSIGNMENTS = 100_000;

/**
 * Candidate values of a cell for the sums: the values its witnesses read (with a reader's
 * plausible alternatives). Null or empty when nothing was read: no assignment satisfies a sum then.
 */
export type CandidateValues = (ref: CellRef) => ReadonlySet<number> | null;

/**
 * How many assignments of candidate values satisfy every equation at once, capped at 2 (enough
 * to tell "exactly one" from "several"). Vote rows enter the sums only as their total, so their
 * ways to reach each sum are counted once; the total lines, few and with few candidates each,
 * are enumerated.
 */
export function countAssignments(equations: readonly Equation[], candidates: CandidateValues): number {
  const refs = new Map<string, CellRef>();
  for (const equation of equations) for (const term of equation.terms) refs.set(cellIdOf(term.ref), term.ref);
  const domains = new Map<string, readonly number[]>();
  for (const [key, ref] of refs) {
    const values = candidates(ref);
    if (!values || values.size === 0) return 0;
    domains.set(key, [...values]);
  }
  // Rows are summed as a block when every equation holds all of them (+1) or none.
  const rowKeys = [...refs.keys()].filter((key) => refs.get(key)?.kind === "row");
  const asBlock = equations.every((equation) => {
    const rows = equation.terms.filter((t) => t.ref.kind === "row");
    return rows.length === 0 || (rows.length === rowKeys.length && rows.every((t) => t.sign === 1));
  });
  const enumerated = asBlock ? [...refs.keys()].filter((key) => refs.get(key)?.kind !== "row") : [...refs.keys()];
  let product = 1;
  for (const key of enumerated) product *= domains.get(key)?.length ?? 1;
  if (product > MAX_TOTAL_ASSIGNMENTS) return MANY;
  const rowSums = asBlock ? waysToSum(rowKeys.map((key) => domains.get(key) ?? [])) : null;

  let count = 0;
  const chosen = new Map<string, number>();
  const visit = (index: number): void => {
    if (count >= MANY) return;
    if (index < enumerated.length) {
      const key = enumerated[index]!;
      for (const value of domains.get(key) ?? []) {
        chosen.set(key, value);
        visit(index + 1);
        if (count >= MANY) return;
      }
      return;
    }
    let neededRowSum: number | null = null;
    for (const equation of equations) {
      let rest = 0;
      let hasRows = false;
      for (const term of equation.terms) {
        if (rowSums && term.ref.kind === "row") hasRows = true;
        else rest += term.sign * (chosen.get(cellIdOf(term.ref)) ?? 0);
      }
      if (!hasRows) {
        if (rest !== 0) return;
      } else if (neededRowSum === null) neededRowSum = -rest;
      else if (neededRowSum !== -rest) return;
    }
    const ways = rowSums === null || neededRowSum === null ? 1 : (rowSums.get(neededRowSum) ?? 0);
    count = Math.min(MANY, count + ways);
  };
  visit(0);
  return count;
}

/** Reachable sums of one value per cell, with the number of ways (capped at 2). */
function waysToSum(cells: readonly (readonly number[])[]): Map<number, number> {
  let ways = new Map<number, number>([[0, 1]]);
  for (const values of cells) {
    const next = new Map<number, number>();
    for (const [sum, n] of ways) {
      for (const v of values) next.set(sum + v, Math.min(MANY, (next.get(sum + v) ?? 0) + n));
    }
    ways = next;
  }
  return ways;
}
