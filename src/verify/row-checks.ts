import { CONSTITUENCY_PRINTED_ROWS, PARTY_COUNT } from "../forms/form-kind.js";
import type { Check, FormResult } from "../forms/form-result.js";

function duplicates(numbers: readonly number[]): number[] {
  const seen = new Set<number>();
  const repeated = new Set<number>();
  for (const n of numbers) (seen.has(n) ? repeated : seen).add(n);
  return [...repeated].sort((a, b) => a - b);
}

const list = (numbers: readonly number[]): string => numbers.join(", ");

/** Every party 1..partyCount appears exactly once across the pages. */
export function partyListCompleteness(result: FormResult, partyCount: number = PARTY_COUNT): Check {
  const numbers = result.votes.map((row) => row.number);
  const present = new Set(numbers);
  const missing: number[] = [];
  for (let n = 1; n <= partyCount; n++) if (!present.has(n)) missing.push(n);
  const repeated = duplicates(numbers);
  const outOfRange = [...present].filter((n) => n < 1 || n > partyCount).sort((a, b) => a - b);
  const problems = [
    missing.length > 0 ? `missing parties ${list(missing)}` : null,
    repeated.length > 0 ? `parties read more than once ${list(repeated)}` : null,
    outOfRange.length > 0 ? `party numbers beyond 1..${partyCount}: ${list(outOfRange)}` : null,
  ].filter((p): p is string => p !== null);
  if (problems.length === 0) {
    return { rule: "party-list-complete", ok: true, severity: "error", detail: `parties 1..${partyCount} each appear once` };
  }
  return {
    rule: "party-list-complete",
    ok: false,
    severity: "error",
    detail: problems.join("; "),
    rows: [...missing, ...repeated, ...outOfRange],
  };
}

/** Candidate rows are numbered 1..printed rows (or more when the reference says so), each once. */
export function candidateRowNumbers(result: FormResult, candidateCount: number | null): Check {
  const limit = Math.max(CONSTITUENCY_PRINTED_ROWS, candidateCount ?? 0);
  const numbers = result.votes.map((row) => row.number);
  const repeated = duplicates(numbers);
  const outOfRange = [...new Set(numbers)].filter((n) => n < 1 || n > limit).sort((a, b) => a - b);
  const problems = [
    repeated.length > 0 ? `candidate rows read more than once ${list(repeated)}` : null,
    outOfRange.length > 0 ? `candidate numbers beyond 1..${limit}: ${list(outOfRange)}` : null,
  ].filter((p): p is string => p !== null);
  if (problems.length === 0) {
    return { rule: "candidate-rows", ok: true, severity: "error", detail: `${numbers.length} candidate rows, each number once` };
  }
  return { rule: "candidate-rows", ok: false, severity: "error", detail: problems.join("; "), rows: [...repeated, ...outOfRange] };
}

/** Row-number checks for the form's kind; an unknown kind only gets the duplicate check. */
export function rowNumberChecks(result: FormResult, partyCount: number, candidateCount: number | null): Check[] {
  if (result.formKind === "party_list") return [partyListCompleteness(result, partyCount)];
  if (result.formKind === "constituency") return [candidateRowNumbers(result, candidateCount)];
  const repeated = duplicates(result.votes.map((row) => row.number));
  return [
    {
      rule: "form-kind-known",
      ok: false,
      severity: "warning",
      detail: "the form kind (constituency or party-list) is unknown: row completeness not checked",
    },
    repeated.length > 0
      ? { rule: "row-numbers-unique", ok: false, severity: "error", detail: `rows read more than once ${list(repeated)}`, rows: repeated }
      : { rule: "row-numbers-unique", ok: true, severity: "error", detail: "each row number appears once" },
  ];
}
