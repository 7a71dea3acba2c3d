/**
 * How bad a difference from the official count is. A level applies when the difference reaches
 * BOTH its absolute and its relative minimum; the highest such level wins.
 */
export const DISCREPANCY_SEVERITIES = ["critical", "major", "minor"] as const;
export type DiscrepancySeverity = (typeof DISCREPANCY_SEVERITIES)[number];

export const CRITICAL_MIN_ABSOLUTE = 100;
export const CRITICAL_MIN_RELATIVE = 0.02;
export const MAJOR_MIN_ABSOLUTE = 20;
export const MAJOR_MIN_RELATIVE = 0.005;
/** Any difference of at least one vote is reported. */
export const MINOR_MIN_ABSOLUTE = 1;

export const SEVERITY_THRESHOLDS_TEXT = [
  `- **critical**: at least ${CRITICAL_MIN_ABSOLUTE} votes and at least ${CRITICAL_MIN_RELATIVE * 100}% of the official figure`,
  `- **major**: at least ${MAJOR_MIN_ABSOLUTE} votes and at least ${MAJOR_MIN_RELATIVE * 100}% of the official figure`,
  `- **minor**: any other difference of ${MINOR_MIN_ABSOLUTE} vote or more`,
  "- The relative size is |ours − official| ÷ official (÷ 1 when the official figure is 0).",
].join("\n");

export function relativeDifference(ours: number, official: number): number {
  return Math.abs(ours - official) / Math.max(Math.abs(official), 1);
}

export function discrepancySeverity(ours: number, official: number): DiscrepancySeverity | null {
  const absolute = Math.abs(ours - official);
  const relative = relativeDifference(ours, official);
  if (absolute >= CRITICAL_MIN_ABSOLUTE && relative >= CRITICAL_MIN_RELATIVE) return "critical";
  if (absolute >= MAJOR_MIN_ABSOLUTE && relative >= MAJOR_MIN_RELATIVE) return "major";
  if (absolute >= MINOR_MIN_ABSOLUTE) return "minor";
  return null;
}

export const SEVERITY_RANK: Record<DiscrepancySeverity, number> = { critical: 3, major: 2, minor: 1 };
