import type { Reference } from "../reference/reference.js";

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

/** What coverage counts of one area's forms of one kind (see areaForms). */
export interface CoverageCounts {
  readonly unitsProcessed: number;
  readonly advanceSetsProcessed: number;
}

export function constituencyCoverage(
  area: { readonly provinceId: string | null; readonly constituency: number },
  counts: CoverageCounts,
  reference: Reference | undefined,
): Coverage {
  const unitsInReference = reference && area.provinceId !== null ? reference.stationCount(area.provinceId, area.constituency) : null;
  return {
    unitsProcessed: counts.unitsProcessed,
    unitsInReference,
    advanceSetsProcessed: counts.advanceSetsProcessed,
    complete: unitsInReference !== null && counts.unitsProcessed >= unitsInReference,
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
