import { completeRowShares, type KindTotals } from "../../aggregate/area-totals.js";
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

export interface CompleteVotes {
  /** Votes by row over the complete forms, most first. */
  readonly rows: readonly { number: number; votes: number }[];
  /** The votes of the complete forms: what shares are shares of. */
  readonly total: number;
  readonly completeForms: number;
  /** Forms with a vote row not read, left out of the chart and the shares. */
  readonly leftOut: number;
}

/** Votes by row for charts and shares: from the forms with every vote row read, and only those. */
export function completeVotes(totals: KindTotals): CompleteVotes {
  const { rows, total } = completeRowShares(totals);
  return { rows, total, completeForms: totals.completeForms, leftOut: totals.forms - totals.completeForms };
}

/** Party-list votes of the complete forms, largest first (see completeVotes). */
export function partyTotals(analysis: BatchAnalysis): CompleteVotes {
  return completeVotes(analysis.rollup.national.party_list);
}

/** What a chart or a share was drawn from, in Thai and English. */
export function completeFormsNote(votes: CompleteVotes): string {
  const all = votes.completeForms + votes.leftOut;
  return votes.leftOut === 0
    ? `จากแบบฟอร์มทั้ง ${all} ฉบับ (อ่านครบทุกช่อง) · from all ${all} forms (every vote read)`
    : `จากแบบฟอร์มที่อ่านครบทุกช่อง ${votes.completeForms} จาก ${all} ฉบับ; ไม่นับ ${votes.leftOut} ฉบับที่ยังอ่านไม่ครบ · from the ${votes.completeForms} of ${all} forms with every vote read; ${votes.leftOut} left out`;
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
