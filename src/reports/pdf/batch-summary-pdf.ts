import { CONFIDENCE_BANDS, type BatchAnalysis, UNKNOWN_CONFIDENCE_BAND } from "../../aggregate/batch-analysis.js";
import { coverageRatio } from "../../aggregate/coverage.js";
import { SEVERITY_THRESHOLDS_TEXT } from "../../aggregate/severity.js";
import { stationLabel } from "../../aggregate/station-key.js";
import type { Reference } from "../../reference/reference.js";
import { areaName, constituencyName, integer, percent } from "../area-names.js";
import type { ReportMeta } from "../summary-md.js";
import { type BarChartSpec, drawBarChart, placeBarChart } from "./charts.js";
import { completeFormsNote, metaFacts, partyColor, partyLabel, partyTotals, shortPath } from "./labels.js";
import { COLORS, PdfReport } from "./pdf-report.js";
import type { ThaiFonts } from "./thai-fonts.js";

export const BATCH_SUMMARY_PARTY_LIMIT = 15;
export const BATCH_SUMMARY_LIST_LIMIT = 25;

/** Batch summary: status and confidence distribution, votes by party, discrepancies, review queue. */
export async function buildBatchSummary(
  fonts: ThaiFonts,
  analysis: BatchAnalysis,
  meta: ReportMeta,
  reference: Reference | undefined,
): Promise<PdfReport> {
  const report = new PdfReport(fonts, { title: "ballot-ocr batch summary", subject: "Batch summary" });
  report.heading("สรุปชุดงาน · Batch summary", 1);
  report.facts(metaFacts(meta, reference), { size: 9, labelWidth: 120 });

  report.heading("สถานะและความเชื่อมั่น · Status and confidence", 2);
  const statusChart: BarChartSpec = {
    title: "สถานะแบบฟอร์ม (status)",
    labels: ["verified", "needs review", "failed"],
    values: [analysis.statusCounts.verified, analysis.statusCounts.needs_review, analysis.statusCounts.failed],
    colors: [COLORS.verified, COLORS.needs_review, COLORS.failed],
    width: 1000,
    height: 620,
    fontSize: 34,
  };
  const bandLabels = [...CONFIDENCE_BANDS.map((b) => b.label), UNKNOWN_CONFIDENCE_BAND];
  const confidenceChart: BarChartSpec = {
    title: "ความเชื่อมั่นต่ำสุด (lowest confidence)",
    labels: bandLabels,
    values: bandLabels.map((label) => analysis.confidenceBands.get(label) ?? 0),
    colors: "#6a8caf",
    width: 1000,
    height: 620,
    fontSize: 34,
  };
  const half = (report.width - 10) / 2;
  const chartHeight = (half * 620) / 1000;
  report.ensureSpace(chartHeight + 8);
  const top = report.doc.y;
  drawBarChart(report, statusChart, { x: report.left, y: top, width: half });
  drawBarChart(report, confidenceChart, { x: report.left + half + 10, y: top, width: half });
  report.doc.y = top + chartHeight + 8;

  const complete = partyTotals(analysis);
  const parties = complete.rows.filter((p) => p.votes > 0);
  report.heading("คะแนนบัญชีรายชื่อตามพรรค · Party-list votes by party (forms read in full)", 2);
  if (complete.completeForms + complete.leftOut === 0) report.text("ยังไม่มีแบบบัญชีรายชื่อ (no party-list forms)", { color: COLORS.muted });
  else if (parties.length === 0) {
    report.text(
      `ยังไม่มีแบบบัญชีรายชื่อที่อ่านครบทุกช่อง จึงไม่แสดงกราฟและร้อยละ (${complete.leftOut} ฉบับยังอ่านไม่ครบ) · no party-list form has every vote read yet, so no chart or shares (${complete.leftOut} left out)`,
      { color: COLORS.muted },
    );
  } else {
    const shown = parties.slice(0, BATCH_SUMMARY_PARTY_LIMIT);
    const height = 140 + 50 * shown.length;
    placeBarChart(
      report,
      {
        title: `คะแนนบัญชีรายชื่อ ${shown.length} พรรคแรก`,
        labels: shown.map((p) => partyLabel(p.number, reference)),
        values: shown.map((p) => p.votes),
        colors: shown.map((p) => partyColor(p.number, reference)),
        horizontal: true,
        height,
      },
      report.width * 0.9,
    );
    report.text(completeFormsNote(complete), { size: 8.5, color: COLORS.muted, align: "center" });
    report.table(
      [
        { header: "พรรค", width: 3 },
        { header: "คะแนน", width: 1, align: "right" },
        { header: "ร้อยละ", width: 1, align: "right" },
      ],
      parties.map((p) => [partyLabel(p.number, reference), integer(p.votes), percent(p.votes / complete.total)]),
      { fontSize: 8.5 },
    );
  }

  report.heading("ความครอบคลุม · Coverage (polling units processed)", 2);
  report.table(
    [
      { header: "เขต", width: 2 },
      { header: "แบ่งเขต", width: 1.4, align: "right" },
      { header: "บัญชีรายชื่อ", width: 1.4, align: "right" },
    ],
    [...analysis.comparison.coverage.constituencies]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, c]) => [
        constituencyName(key, reference),
        `${c.constituency.unitsProcessed}/${c.constituency.unitsInReference ?? "?"} (${percent(coverageRatio(c.constituency))})`,
        `${c.party_list.unitsProcessed}/${c.party_list.unitsInReference ?? "?"} (${percent(coverageRatio(c.party_list))})`,
      ]),
    { fontSize: 8.5 },
  );

  report.heading("ความคลาดเคลื่อนจากผลทางการ · Discrepancies (ranked)", 2);
  report.text(SEVERITY_THRESHOLDS_TEXT.replace(/\*\*/g, "").replace(/^- /gm, "• "), { size: 8, color: COLORS.muted });
  const discrepancies = analysis.comparison.discrepancies.slice(0, BATCH_SUMMARY_LIST_LIMIT);
  if (discrepancies.length === 0)
    report.text(reference?.official ? "ไม่พบ (none where coverage is complete)" : "ไม่ได้เปรียบเทียบ (no official results)", {
      color: COLORS.muted,
    });
  else {
    report.table(
      [
        { header: "#", width: 0.4 },
        { header: "ระดับ", width: 0.8 },
        { header: "พื้นที่", width: 1.4 },
        { header: "รายการ", width: 2.6 },
        { header: "เรา / ทางการ", width: 1.6, align: "right" },
        { header: "ต่าง", width: 1.2, align: "right" },
      ],
      discrepancies.map((d, i) => [
        String(i + 1),
        d.severity,
        areaName(d.level, d.area, reference, "ทั้งประเทศ"),
        `${d.kind} ${d.measure}${d.subject ? ` ${d.subject}` : ""}`,
        `${integer(d.ours)} / ${integer(d.official)}`,
        `${d.difference > 0 ? "+" : ""}${integer(d.difference)} (${percent(d.relative)})`,
      ]),
      { fontSize: 8.5, rowColor: (i) => COLORS[discrepancies[i]?.severity ?? "minor"] },
    );
  }

  if (analysis.grouping.duplicates.length > 0 || analysis.contentCopies.length > 0 || analysis.pairs.length > 0) {
    report.heading("ข้อมูลซ้ำและคู่แบบฟอร์ม · Duplicates and pairs", 2);
    for (const c of analysis.contentCopies.slice(0, BATCH_SUMMARY_LIST_LIMIT)) {
      const what = c.differentStations
        ? "ภาพเดียวกันส่งในนามต่างหน่วย (same image, different stations)"
        : "ไฟล์เนื้อหาเดียวกันหลายที่ (same file, several paths)";
      report.text(`• ${what}: ${c.paths.map((p, i) => `${shortPath(p)} (${c.stations[i]})`).join(", ")} — อ่านและนับครั้งเดียว`, { size: 9 });
    }
    for (const d of analysis.grouping.duplicates.slice(0, BATCH_SUMMARY_LIST_LIMIT)) {
      const what = d.kind === "same_content" ? "ไฟล์เนื้อหาเดียวกัน (same content)" : "หน่วยเดียวกันส่งซ้ำ (same station twice)";
      report.text(
        `• ${what}: ${stationLabel(d.counted)} — นับ ${shortPath(d.counted.path)}, ไม่นับ ${shortPath(d.ignored.path)}; ${d.differences.length === 0 ? "ตัวเลขตรงกัน" : `ต่างกันที่ ${d.differences.join(", ")}`}`,
        { size: 9 },
      );
    }
    for (const p of analysis.pairs.slice(0, BATCH_SUMMARY_LIST_LIMIT)) {
      report.text(`• ${stationLabel(p.constituencyForm)}: บัตรที่ใช้ แบ่งเขต ${p.constituencyBallots} / บัญชีรายชื่อ ${p.partyListBallots}`, {
        size: 9,
      });
    }
  }

  report.heading(`คิวตรวจทาน · Review queue (top ${analysis.reviewQueue.length})`, 2);
  if (analysis.reviewQueue.length === 0) report.text("ไม่มี (nothing to review)", { color: COLORS.muted });
  else {
    report.table(
      [
        { header: "#", width: 0.4 },
        { header: "สถานะ", width: 1.1 },
        { header: "ไฟล์", width: 2.8 },
        { header: "เหตุผล", width: 3.6 },
      ],
      analysis.reviewQueue.map((r, i) => [String(i + 1), r.status, shortPath(r.path), r.reasons.slice(0, 3).join("; ")]),
      { fontSize: 8.5, rowColor: (i) => COLORS[analysis.reviewQueue[i]?.status ?? "verified"] },
    );
  }
  report.footer(`ballot-ocr · batch summary · ${meta.generatedAt}`);
  return report;
}
