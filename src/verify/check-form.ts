import { PARTY_COUNT } from "../forms/form-kind.js";
import type { Check, FormResult } from "../forms/form-result.js";
import { checkCells } from "./cell-checks.js";
import { allCells, refsForCheck } from "./cells.js";
import { locateSuspects, suspectsIn } from "./locate.js";
import { plausibilityChecks } from "./plausibility.js";
import { provinceKnownCheck, referenceChecks } from "./reference-checks.js";
import type { ReferenceLookup } from "./reference-lookup.js";
import { rowNumberChecks } from "./row-checks.js";
import { equationCheck, evaluate, formEquations, inequalityChecks, presenceChecks, softEquations } from "./sum-checks.js";

export type CheckedStatus = "verified" | "needs_review";

export interface FormCheckOutcome {
  readonly checks: Check[];
  /** "failed" is for documents that could not be read at all; checks never give it. */
  readonly status: CheckedStatus;
  /** Why the form needs review: the detail of every failing hard check. Empty when verified. */
  readonly reasons: string[];
}

function candidateCountOf(result: FormResult, reference: ReferenceLookup | undefined): number | null {
  const provinceId =
    (result.location.province !== null ? reference?.findProvince(result.location.province)?.provinceId : undefined) ??
    result.location.provinceId;
  const constituency = result.location.constituency;
  if (!reference || !provinceId || constituency === null) return null;
  return reference.candidateCount(provinceId, constituency);
}

/**
 * Runs every consistency check on a read form. Pure: the result is not changed. The form is
 * "verified" only when every hard (severity "error") check passes; otherwise it "needs_review"
 * and `reasons` lists each failing hard check.
 */
export function checkForm(result: FormResult, reference?: ReferenceLookup): FormCheckOutcome {
  const cells = allCells(result);
  const hard = formEquations(result).map(evaluate);
  const soft = softEquations(result).map(evaluate);
  const suspects = locateSuspects(hard, cells);

  // A failing sum names the cells that could explain it, most likely first.
  const sumChecks = hard.map((evaluated): Check => {
    const check = equationCheck(evaluated);
    if (check.ok || evaluated.delta === null) return check;
    const located = suspectsIn(evaluated, suspects);
    if (located.length === 0) return check;
    const hint = located
      .slice(0, 3)
      .map((s) => s.reason)
      .join("; ");
    return { ...check, detail: `${check.detail}; look at ${hint}`, ...refsForCheck(located.map((s) => s.ref)) };
  });

  const checks: Check[] = [
    ...checkCells(cells),
    ...presenceChecks(result),
    ...sumChecks,
    ...inequalityChecks(result),
    ...soft.map(equationCheck),
    ...rowNumberChecks(result, reference?.partyCount() ?? PARTY_COUNT, candidateCountOf(result, reference)),
    ...plausibilityChecks(result),
  ];
  if (reference) checks.push(...referenceChecks(result, reference));
  else {
    const province = provinceKnownCheck(result);
    if (province) checks.push(province);
  }
  const reasons = checks.filter((c) => c.severity === "error" && !c.ok).map((c) => `${c.rule}: ${c.detail}`);
  return { checks, status: reasons.length === 0 ? "verified" : "needs_review", reasons };
}
