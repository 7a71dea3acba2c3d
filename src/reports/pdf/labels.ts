import type { BatchAnalysis } from "../../aggregate/batch-analysis.js";
import type { Reference } from "../../reference/reference.js";
import type { ReportMeta } from "../summary-md.js";

export const DEFAULT_BAR_COLOR = "#3b6ea8";

export function partyLabel(number: number, reference: Reference | undefined): string {
  const party = reference?.partyByNumber(number);
  return party ? `${number} ${party.name}` : `พรรคหมายเลข ${number}`;
}

export function partyColor(number: number, reference: Reference | undefined): string {
  const color = reference?.partyByNumber(number)?.color;
  return color && /^#[0-9a-f]{6}$/i.test(color) ? color : DEFAULT_BAR_COLOR;
}

/** Party-list votes summed over every counted form, largest first. */
export function partyTotals(analysis: BatchAnalysis): { number: number; votes: number }[] {
  return [...analysis.rollup.national.party_list.votes]
    .map(([number, votes]) => ({ number, votes }))
    .sort((a, b) => b.votes - a.votes || a.number - b.number);
}

export function metaFacts(meta: ReportMeta, reference: Reference | undefined): [string, string][] {
  const facts: [string, string][] = [["Generated (UTC)", meta.generatedAt]];
  if (meta.command) facts.push(["Command", meta.command]);
  if (meta.provider || meta.model) facts.push(["Provider / model", `${meta.provider ?? "–"} / ${meta.model ?? "–"}`]);
  facts.push([
    "Reference",
    reference
      ? `ECT snapshot ${reference.data.source.snapshotAt ?? "(time unknown)"}${reference.official?.lastUpdate ? `; official results of ${reference.official.lastUpdate}` : ""}`
      : "none",
  ]);
  return facts;
}

export function severityCounts(analysis: BatchAnalysis): Record<"critical" | "major" | "minor", number> {
  const counts = { critical: 0, major: 0, minor: 0 };
  for (const d of analysis.comparison.discrepancies) counts[d.severity] += 1;
  return counts;
}

/** Short name of a file for tables: the last two path segments. */
export function shortPath(path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p.length > 0);
  return parts.slice(-2).join("/");
}
