import type { Reference } from "../reference/reference.js";
import type { ConstituencyAggregate } from "./rollup.js";
import type { FormKind } from "../forms/form-kind.js";

/**
 * Coverage of one area and form kind: polling units (5/18) processed against the units in the
 * reference. Advance-voting sets (5/16, 5/17) are not listed in the reference, so they are
 * counted separately and cannot make coverage complete or incomplete.
 */
export interface Coverage {
  readonly unitsProcessed: number;
  /** Null when the reference does not know the area. */
  readonly unitsInReference: number | null;
  readonly advanceSetsProcessed: number;
  readonly complete: boolean;
}

export function constituencyCoverage(area: ConstituencyAggregate, kind: FormKind, reference: Reference | undefined): Coverage {
  let unitsProcessed = 0;
  let advanceSetsProcessed = 0;
  for (const station of area.stations) {
    const form = station.forms[kind];
    if (!form || !station.identified) continue;
    if (form.formCode === "5/18") unitsProcessed += 1;
    else advanceSetsProcessed += 1;
  }
  const unitsInReference = reference && area.provinceId !== null ? reference.stationCount(area.provinceId, area.constituency) : null;
  return {
    unitsProcessed,
    unitsInReference,
    advanceSetsProcessed,
    complete: unitsInReference !== null && unitsProcessed >= unitsInReference,
  };
}

export function combineCoverage(parts: readonly Coverage[], unitsInReference: number | null): Coverage {
  const unitsProcessed = parts.reduce((sum, part) => sum + part.unitsProcessed, 0);
  const advanceSetsProcessed = parts.reduce((sum, part) => sum + part.advanceSetsProcessed, 0);
  return {
    unitsProcessed,
    unitsInReference,
    advanceSetsProcessed,
    complete: unitsInReference !== null && unitsProcessed >= unitsInReference,
  };
}

export function coverageRatio(coverage: Coverage): number | null {
  if (coverage.unitsInReference === null || coverage.unitsInReference === 0) return null;
  return Math.min(1, coverage.unitsProcessed / coverage.unitsInReference);
}
