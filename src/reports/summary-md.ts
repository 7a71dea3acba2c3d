import { ANOMALY_RULE_TEXT } from "../aggregate/anomalies.js";
import type { BatchAnalysis } from "../aggregate/batch-analysis.js";
import { coverageRatio } from "../aggregate/coverage.js";
import { PAIRING_THRESHOLD_TEXT } from "../aggregate/pairing.js";
import { SEVERITY_THRESHOLDS_TEXT } from "../aggregate/severity.js";
import { stationLabel } from "../aggregate/station-key.js";
import { FORM_KINDS } from "../forms/form-kind.js";
import type { Reference } from "../reference/reference.js";
import { fieldSum, unreadRowCells } from "../aggregate/area-totals.js";
import { areaName, constituencyName, integer, kindLabel, percent, sumText } from "./area-names.js";

export interface ReportMeta {
  readonly generatedAt: string;
  readonly command?: string;
  readonly provider?: string | null;
  readonly model?: string | null;
}

export const SUMMARY_LIST_LIMIT = 20;

/** Markdown table cell: pipes and newlines would break the table. */
function cell(text: string | number): string {
  return String(text).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const row of rows) lines.push(`| ${row.map(cell).join(" | ")} |`);
  return lines.join("\n");
}

function formLink(path: string): string {
  return `\`${path.replace(/`/g, "'")}\``;
}

export function renderSummaryMarkdown(analysis: BatchAnalysis, meta: ReportMeta, reference?: Reference): string {
  const out: string[] = [];
  const { statusCounts, comparison, grouping } = analysis;
  out.push("# ballot-ocr batch summary", "");
  out.push(`- Generated: ${meta.generatedAt}`);
  if (meta.command) out.push(`- Command: \`${meta.command}\``);
  if (meta.provider || meta.model) out.push(`- Provider / model: ${meta.provider ?? "–"} / ${meta.model ?? "–"}`);
  if (reference) {
    out.push(
      `- Reference: ECT snapshot ${reference.data.source.snapshotAt ?? "(time unknown)"}${reference.official?.lastUpdate ? `, official results of ${reference.official.lastUpdate}` : ""}`,
    );
  } else out.push("- Reference: none (no names, no comparison with official results)");
  out.push("");

  out.push("## Documents", "");
  out.push(
    table(
      ["status", "documents"],
      [
        ["verified", statusCounts.verified],
        ["needs_review", statusCounts.needs_review],
        ["failed", statusCounts.failed],
        ["total", analysis.documents],
      ],
    ),
    "",
  );
  const onChecks = analysis.verifiedOnChecks;
  if (onChecks > 0) {
    out.push(
      `${onChecks} of the verified documents rest on the checks alone (assurance "checks", --accept-single-witness): some of their values were read by one reader only, with no second witness.`,
      "",
    );
  }

  out.push("## Coverage", "");
  out.push(
    "Polling units (ส.ส. 5/18) processed against the units in the reference. Advance-voting sets (5/16, 5/17) are counted separately; the reference does not list them.",
    "",
  );
  const coverageRows: (string | number)[][] = [];
  for (const [key, byKind] of [...comparison.coverage.constituencies].sort(([a], [b]) => a.localeCompare(b))) {
    for (const kind of FORM_KINDS) {
      const c = byKind[kind];
      if (c.unitsProcessed === 0 && c.advanceSetsProcessed === 0) continue;
      coverageRows.push([
        constituencyName(key, reference),
        kind,
        c.unitsProcessed,
        c.unitsInReference ?? "?",
        percent(coverageRatio(c)),
        c.advanceSetsProcessed,
        c.complete ? "complete" : "partial",
      ]);
    }
  }
  out.push(
    coverageRows.length > 0
      ? table(["constituency", "kind", "units", "in reference", "coverage", "advance sets", ""], coverageRows)
      : "No form could be placed in a constituency.",
    "",
  );

  out.push("## Discrepancies with the official results", "");
  out.push(SEVERITY_THRESHOLDS_TEXT, "");
  if (comparison.discrepancies.length === 0) {
    out.push(
      reference?.official ? `None: ${comparison.matches} figure(s) compared and equal.` : "Not compared: no official results loaded.",
    );
  } else {
    const severityCounts = new Map<string, number>();
    for (const d of comparison.discrepancies) severityCounts.set(d.severity, (severityCounts.get(d.severity) ?? 0) + 1);
    out.push(
      `${comparison.discrepancies.length} discrepancies (${[...severityCounts].map(([s, n]) => `${n} ${s}`).join(", ")}); ${comparison.matches} figure(s) equal.`,
      "",
    );
    out.push(
      table(
        ["#", "severity", "area", "kind", "measure", "subject", "ours", "official", "difference", "relative", "forms (doubtful first)"],
        comparison.discrepancies.slice(0, SUMMARY_LIST_LIMIT).map((d, i) => [
          i + 1,
          d.severity,
          areaName(d.level, d.area, reference, "national"),
          d.kind,
          d.measure,
          d.subject ?? "",
          integer(d.ours),
          integer(d.official),
          (d.difference > 0 ? "+" : "") + integer(d.difference),
          percent(d.relative, 2),
          `${d.forms
            .slice(0, 3)
            .map((f) => formLink(f.path))
            .join(", ")}${d.formCount > 3 ? ` (+${d.formCount - 3})` : ""}`,
        ]),
      ),
    );
  }
  out.push("");
  if (comparison.notCompared.length > 0) {
    out.push("Not compared (never reported as discrepancies):", "");
    for (const n of comparison.notCompared.slice(0, SUMMARY_LIST_LIMIT)) {
      out.push(`- ${areaName(n.level, n.area, reference, "national")}, ${n.kind}: ${n.reason}`);
    }
    if (comparison.notCompared.length > SUMMARY_LIST_LIMIT) out.push(`- … and ${comparison.notCompared.length - SUMMARY_LIST_LIMIT} more`);
    out.push("");
  }

  out.push("## Duplicates", "");
  out.push("Each duplicate is counted once: the better-status report is summed, the other is listed here and left out.", "");
  if (grouping.duplicates.length === 0 && analysis.contentCopies.length === 0) out.push("None.");
  for (const c of analysis.contentCopies) {
    const what = c.differentStations ? "same image content under different stations" : "same file content under several paths";
    out.push(`- **${what}** (read and counted once): ${c.paths.map((p, i) => `${formLink(p)} (${c.stations[i]})`).join(", ")}`);
  }
  for (const d of grouping.duplicates.slice(0, SUMMARY_LIST_LIMIT)) {
    const what = d.kind === "same_content" ? "same file content under two names" : "same station reported twice";
    const diff = d.differences.length === 0 ? "numbers identical" : `numbers differ: ${d.differences.join(", ")}`;
    out.push(
      `- **${what}** — ${stationLabel(d.counted)} (${d.counted.formKind ?? "?"}): counted ${formLink(d.counted.path)}, ignored ${formLink(d.ignored.path)}; ${diff}`,
    );
  }
  moreLine(out, grouping.duplicateCount, "each in `stations.csv`, column `ignored_duplicates`");
  out.push("");
  if (grouping.unclassified.length > 0) {
    out.push(
      `${grouping.unclassified.length} form(s) of unknown kind were not summed: ${grouping.unclassified
        .slice(0, 5)
        .map((f) => formLink(f.path))
        .join(", ")}`,
      "",
    );
  }

  out.push("## Constituency and party-list pairs", "");
  out.push(PAIRING_THRESHOLD_TEXT, "");
  if (analysis.pairs.length === 0) out.push("No pair beyond the threshold.");
  for (const p of analysis.pairs.slice(0, SUMMARY_LIST_LIMIT)) {
    out.push(
      `- ${stationLabel(p.constituencyForm)}: constituency ${p.constituencyBallots} vs party-list ${p.partyListBallots} ballots used (${p.difference > 0 ? "+" : ""}${p.difference}) — ${formLink(p.constituencyForm.path)}, ${formLink(p.partyListForm.path)}`,
    );
  }
  moreLine(out, analysis.pairCount, "each in `stations.csv`, column `pair_flag`");
  out.push("");

  out.push("## Anomalies", "");
  out.push(ANOMALY_RULE_TEXT, "");
  if (analysis.anomalies.length === 0) out.push("None found.");
  for (const a of analysis.anomalies.slice(0, SUMMARY_LIST_LIMIT)) {
    const metric = a.metric === "candidateShare" ? `share of candidate ${a.row}` : a.metric;
    out.push(
      `- ${stationLabel(a.form)} (${a.kind}): ${metric} ${percent(a.value)} vs median ${percent(a.median)} (z ${a.score.toFixed(1)}) — ${formLink(a.form.path)}`,
    );
  }
  moreLine(out, analysis.anomalyCount, "the strongest are listed");
  out.push("");

  out.push(`## Review queue (top ${analysis.reviewQueue.length})`, "");
  if (analysis.reviewQueue.length === 0) out.push("Nothing to review.");
  else {
    out.push(
      table(
        ["#", "status", "document", "reasons"],
        analysis.reviewQueue.map((r, i) => [
          i + 1,
          r.status,
          formLink(r.path),
          r.reasons.slice(0, 3).join("; ") + (r.reasons.length > 3 ? ` (+${r.reasons.length - 3})` : ""),
        ]),
      ),
    );
  }
  out.push("");

  out.push("## Totals by form kind", "");
  out.push(
    "A sum that includes a cell that was not read is never shown as a number: it is shown as “≥” the sum of the cells read, with how many cells are missing from it.",
    "",
  );
  const national = analysis.rollup.national;
  out.push(
    table(
      ["kind", "forms", "forms with every vote read", "ballots used", "good", "bad", "no vote", "vote cells unread"],
      FORM_KINDS.map((kind) => [
        kindLabel(kind),
        national[kind].forms,
        national[kind].completeForms,
        sumText(fieldSum(national[kind], "ballotsUsed")),
        sumText(fieldSum(national[kind], "good")),
        sumText(fieldSum(national[kind], "bad")),
        sumText(fieldSum(national[kind], "noVote")),
        integer(unreadRowCells(national[kind])),
      ]),
    ),
    "",
  );
  return out.join("\n");
}

/** "… and N more" under a list shown to SUMMARY_LIST_LIMIT of `total`. */
function moreLine(out: string[], total: number, where: string): void {
  if (total > SUMMARY_LIST_LIMIT) out.push(`- … and ${(total - SUMMARY_LIST_LIMIT).toLocaleString("en")} more (${where})`);
}
