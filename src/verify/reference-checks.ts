import { type Check, countedValue, type FormResult } from "../forms/form-result.js";
import { findProvinceByName } from "../forms/provinces.js";
import type { ProvinceMatch, ReferenceLookup } from "./reference-lookup.js";

/** Without reference data: the province named on the form is one of the 77. */
export function provinceKnownCheck(result: FormResult): Check | null {
  const name = result.location.province;
  if (name === null) return null;
  const province = findProvinceByName(name);
  return province
    ? { rule: "province-known", ok: true, severity: "warning", detail: `province "${name}" is ${province.thai}` }
    : { rule: "province-known", ok: false, severity: "warning", detail: `"${name}" is not one of the 77 provinces` };
}

function provinceCheck(name: string | null, match: ProvinceMatch | null): Check {
  if (name === null) {
    return { rule: "reference-province", ok: false, severity: "warning", detail: "no province was read" };
  }
  if (match === null) {
    return { rule: "reference-province", ok: false, severity: "error", detail: `"${name}" is not a province in the reference data` };
  }
  return match.confident
    ? { rule: "reference-province", ok: true, severity: "error", detail: `province "${name}" is ${match.name} (${match.provinceId})` }
    : {
        rule: "reference-province",
        ok: false,
        severity: "warning",
        detail: `province "${name}" matched ${match.name} (${match.provinceId}) only loosely`,
      };
}

/** A vote row that carries votes: anything but blank, dash or a written zero. */
function carriesVotes(row: FormResult["votes"][number]): boolean {
  const counted = countedValue(row);
  return counted === null || counted > 0;
}

function candidateChecks(result: FormResult, candidateCount: number, constituency: number): Check[] {
  const beyond = result.votes.filter((row) => row.number > candidateCount && carriesVotes(row));
  const withVotes = result.votes.filter(carriesVotes).length;
  const present = new Set(result.votes.map((row) => row.number));
  const missing: number[] = [];
  for (let n = 1; n <= candidateCount; n++) if (!present.has(n)) missing.push(n);
  const checks: Check[] = [
    beyond.length === 0 && withVotes <= candidateCount
      ? {
          rule: "reference-candidate-rows",
          ok: true,
          severity: "error",
          detail: `${withVotes} rows carry votes; constituency ${constituency} has ${candidateCount} candidates`,
        }
      : {
          rule: "reference-candidate-rows",
          ok: false,
          severity: "error",
          detail: `constituency ${constituency} has ${candidateCount} candidates, but ${withVotes} rows carry votes${
            beyond.length > 0
              ? `; rows beyond ${candidateCount} must be blank or a dash: ${beyond.map((r) => `row ${r.number} (${r.digits ?? r.value})`).join(", ")}`
              : ""
          }`,
          rows: beyond.map((row) => row.number),
        },
  ];
  if (missing.length > 0) {
    checks.push({
      rule: "reference-candidate-rows-present",
      ok: false,
      severity: "warning",
      detail: `candidate rows not read: ${missing.join(", ")} (of ${candidateCount})`,
      rows: missing,
    });
  }
  return checks;
}

/** Checks against the official reference data: real province and constituency, candidate rows. */
export function referenceChecks(result: FormResult, reference: ReferenceLookup): Check[] {
  const { province, constituency } = result.location;
  const match = province === null ? null : reference.findProvince(province);
  const checks: Check[] = [provinceCheck(province, match)];
  const provinceId = match?.provinceId ?? result.location.provinceId;
  if (provinceId === null || constituency === null) return checks;

  if (!reference.constituencyExists(provinceId, constituency)) {
    checks.push({
      rule: "reference-constituency",
      ok: false,
      severity: "error",
      detail: `${match?.name ?? provinceId} has no constituency ${constituency}`,
    });
    return checks;
  }
  checks.push({
    rule: "reference-constituency",
    ok: true,
    severity: "error",
    detail: `constituency ${constituency} exists in ${match?.name ?? provinceId}`,
  });
  const candidateCount = reference.candidateCount(provinceId, constituency);
  if (result.formKind === "constituency" && candidateCount !== null) {
    checks.push(...candidateChecks(result, candidateCount, constituency));
  }
  return checks;
}
