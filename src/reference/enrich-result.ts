import type { FormResult } from "../forms/form-result.js";
import { voteRows } from "../forms/vote-rows.js";
import type { ReferenceLookup } from "../verify/reference-lookup.js";

/**
 * A stored result brought up to a reference it was not read with: the province id from the
 * province name (which names, parties, coverage and the official comparison hang on) and no
 * printed candidate rows beyond the constituency's candidates. Values, checks and status are
 * the reading's and stay as they are. Returns the same object when nothing changes.
 */
export function enrichResult(result: FormResult, reference: ReferenceLookup): FormResult {
  let location = result.location;
  if (location.provinceId === null && location.province !== null) {
    // As assembly does for a province taken from the path.
    const match = reference.findProvince(location.province);
    if (match) location = { ...location, provinceId: match.provinceId };
  }
  const { provinceId, constituency } = location;
  const candidates =
    result.formKind === "constituency" && provinceId !== null && constituency !== null
      ? reference.candidateCount(provinceId, constituency)
      : null;
  const rows = candidates === null ? result.votes : voteRows(result, candidates);
  if (location === result.location && rows.length === result.votes.length) return result;
  return { ...result, location, votes: [...rows] };
}
