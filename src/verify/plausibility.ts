import { type Check, countedValue, type FormResult, type TotalKey } from "../forms/form-result.js";
import { refsForCheck, sumValue, TOTAL_LABELS, totalRef } from "./cells.js";

/**
 * A polling unit (5/18) serves at most a few hundred to about 1,000 voters; more than this many
 * ballots on one unit's form is almost surely a misread digit.
 */
export const MAX_BALLOTS_PER_UNIT = 3_000;
/** An advance-voting set (5/16, 5/17) counts at most a few thousand ballots. */
export const MAX_BALLOTS_PER_ADVANCE_SET = 20_000;
/** Bad ballots usually run at 1–5 % of ballots used; above this share, look again. */
export const MAX_BAD_BALLOT_SHARE = 0.25;

const BALLOT_TOTALS: readonly TotalKey[] = [
  "eligibleVoters",
  "votersTurnedUp",
  "envelopes",
  "ballotsInEnvelopes",
  "ballotsReceived",
  "ballotsUsed",
  "good",
];

function value(result: FormResult, key: TotalKey): number | null {
  const cell = result.totals[key];
  return cell ? sumValue(totalRef(key), cell) : null;
}

/** Warnings for values that are possible but unlikely: each names the threshold it crossed. */
export function plausibilityChecks(result: FormResult): Check[] {
  const checks: Check[] = [];
  const limit = result.formCode === "5/18" ? MAX_BALLOTS_PER_UNIT : result.formCode ? MAX_BALLOTS_PER_ADVANCE_SET : null;
  if (limit !== null) {
    const over = BALLOT_TOTALS.filter((key) => (value(result, key) ?? 0) > limit);
    checks.push(
      over.length === 0
        ? { rule: "ballots-plausible", ok: true, severity: "warning", detail: `no ballot total above ${limit}` }
        : {
            rule: "ballots-plausible",
            ok: false,
            severity: "warning",
            detail: `above ${limit} ballots for one ${result.formCode === "5/18" ? "unit" : "set"}: ${over
              .map((key) => `${TOTAL_LABELS[key]} ${value(result, key)}`)
              .join(", ")}`,
            ...refsForCheck(over.map(totalRef)),
          },
    );
  }

  const good = value(result, "good");
  if (good !== null) {
    const tooBig = result.votes.filter((row) => (countedValue(row) ?? 0) > good);
    checks.push(
      tooBig.length === 0
        ? { rule: "row-within-good", ok: true, severity: "warning", detail: `no row above the ${good} good ballots` }
        : {
            rule: "row-within-good",
            ok: false,
            severity: "warning",
            detail: `rows with more votes than the ${good} good ballots: ${tooBig
              .map((row) => `row ${row.number} (${row.value})`)
              .join(", ")}`,
            rows: tooBig.map((row) => row.number),
          },
    );
  }

  const bad = value(result, "bad");
  const usedKey = result.totals.ballotsUsed ? "ballotsUsed" : "ballotsReceived";
  const used = value(result, usedKey);
  if (bad !== null && used !== null && used > 0 && bad / used > MAX_BAD_BALLOT_SHARE) {
    checks.push({
      rule: "bad-ballots-plausible",
      ok: false,
      severity: "warning",
      detail: `${bad} bad ballots of ${used} is more than ${MAX_BAD_BALLOT_SHARE * 100} %`,
      ...refsForCheck([totalRef("bad")]),
    });
  }
  return checks;
}
