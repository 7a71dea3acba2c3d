import type { BatchAnalysis } from "../../aggregate/batch-analysis.js";
import type { Reference } from "../../reference/reference.js";
import type { ReportMeta } from "../summary-md.js";
import { placeBarChart } from "./charts.js";
import { completeFormsNote, metaFacts, partyColor, partyLabel, partyTotals, severityCounts } from "./labels.js";
import { COLORS, PdfReport } from "./pdf-report.js";
import type { ThaiFonts } from "./thai-fonts.js";

/** One page: forms processed, discrepancies by severity, top-5 parties chart, batch metadata. */
export async function buildExecutiveSummary(
  fonts: ThaiFonts,
  analysis: BatchAnalysis,
  meta: ReportMeta,
  reference: Reference | undefined,
): Promise<PdfReport> {
  const report = new PdfReport(fonts, { title: "ballot-ocr executive summary", subject: "Executive summary" });
  const { doc } = report;
  report.heading("สรุปผลการตรวจนับคะแนน · Executive summary", 1);
  report.text(`จัดทำเมื่อ ${meta.generatedAt}`, { color: COLORS.muted, size: 10, gap: 8 });

  // Key figures as boxes
  const stations = analysis.grouping.identifiedStations;
  const boxes: [string, string, string][] = [
    ["แบบฟอร์มที่ประมวลผล", "Forms processed", analysis.documents.toLocaleString("en-US")],
    ["ตรวจสอบแล้ว", "Verified", analysis.statusCounts.verified.toLocaleString("en-US")],
    ["ต้องตรวจทาน", "Needs review", analysis.statusCounts.needs_review.toLocaleString("en-US")],
    ["ไม่สำเร็จ", "Failed", analysis.statusCounts.failed.toLocaleString("en-US")],
    ["หน่วย/ชุดนับคะแนน", "Stations", stations.toLocaleString("en-US")],
  ];
  drawBoxes(report, boxes, [COLORS.text, COLORS.verified, COLORS.needs_review, COLORS.failed, COLORS.text]);

  report.heading("ความคลาดเคลื่อนจากผลทางการ · Discrepancies with the official results", 2);
  const severities = severityCounts(analysis);
  drawBoxes(
    report,
    [
      ["ร้ายแรง", "Critical", String(severities.critical)],
      ["สำคัญ", "Major", String(severities.major)],
      ["เล็กน้อย", "Minor", String(severities.minor)],
      ["ตรงกัน", "Figures equal", String(analysis.comparison.matches)],
    ],
    [COLORS.critical, COLORS.major, COLORS.minor, COLORS.verified],
  );
  const notCompared = analysis.comparison.notCompared.length;
  const top = analysis.comparison.discrepancies[0];
  const lines = [
    top
      ? `สำคัญที่สุด: ${top.area} ${top.measure}${top.subject ? ` (${top.subject})` : ""} — ours ${top.ours.toLocaleString("en-US")} vs official ${top.official.toLocaleString("en-US")} (${(top.relative * 100).toFixed(1)}%)`
      : reference?.official
        ? "ไม่พบความคลาดเคลื่อนในพื้นที่ที่ประมวลผลครบ (no discrepancy where coverage is complete)"
        : "ไม่ได้เปรียบเทียบ: ไม่มีข้อมูลผลทางการ (no official results loaded)",
    `ข้อมูลซ้ำ ${analysis.grouping.duplicateCount + analysis.contentCopies.length} รายการ (นับครั้งเดียว) · duplicates counted once; ${notCompared} area/kind pairs not compared because coverage or the official count is partial`,
  ];
  for (const line of lines) report.text(line, { size: 9.5 });

  report.heading("5 พรรคที่ได้คะแนนบัญชีรายชื่อสูงสุด · Top 5 parties (party-list votes of the forms read in full)", 2);
  const complete = partyTotals(analysis);
  const parties = complete.rows.slice(0, 5);
  if (complete.completeForms + complete.leftOut === 0)
    report.text("ยังไม่มีแบบบัญชีรายชื่อ (no party-list forms processed)", { color: COLORS.muted });
  else if (parties.length === 0) {
    report.text(
      `ยังไม่มีแบบบัญชีรายชื่อที่อ่านครบทุกช่อง จึงไม่แสดงกราฟ (${complete.leftOut} ฉบับยังอ่านไม่ครบ) · no party-list form has every vote read yet, so no chart (${complete.leftOut} left out)`,
      { color: COLORS.muted },
    );
  } else {
    const width = 1200;
    const height = 520;
    placeBarChart(
      report,
      {
        title: "คะแนนบัญชีรายชื่อ 5 อันดับแรก",
        labels: parties.map((p) => partyLabel(p.number, reference)),
        values: parties.map((p) => p.votes),
        colors: parties.map((p) => partyColor(p.number, reference)),
        horizontal: true,
        width,
        height,
        valueLabel: "คะแนน (votes)",
      },
      report.width * 0.92,
    );
    // The same figures in reading order (the chart's own labels and values are text too, but in drawing order).
    report.text(parties.map((p, i) => `${i + 1}. ${partyLabel(p.number, reference)} ${p.votes.toLocaleString("en-US")}`).join(" · "), {
      size: 8.5,
      color: COLORS.muted,
      align: "center",
    });
    report.text(completeFormsNote(complete), { size: 8.5, color: COLORS.muted, align: "center" });
  }

  report.heading("ข้อมูลชุดงาน · Batch", 3);
  report.facts(metaFacts(meta, reference), { size: 8.5, labelWidth: 110 });
  doc.y = Math.min(doc.y, report.bottom);
  report.footer(`ballot-ocr · executive summary · ${meta.generatedAt}`);
  return report;
}

function drawBoxes(report: PdfReport, boxes: readonly [string, string, string][], colors: readonly string[]): void {
  const { doc } = report;
  const gap = 8;
  const width = (report.width - gap * (boxes.length - 1)) / boxes.length;
  const height = 58;
  report.ensureSpace(height + 10);
  const top = doc.y;
  boxes.forEach(([thai, english, value], i) => {
    const x = report.left + i * (width + gap);
    doc.roundedRect(x, top, width, height, 4).lineWidth(1).strokeColor(COLORS.rule).stroke();
    doc.y = top + 5;
    report.text(value, { x, width, align: "center", size: 18, bold: true, color: colors[i] ?? COLORS.text, gap: 0 });
    doc.y = top + 30;
    report.text(thai, { x, width, align: "center", size: 8.5, gap: 0 });
    report.text(english, { x, width, align: "center", size: 7.5, color: COLORS.muted, gap: 0 });
  });
  doc.y = top + height + 8;
}
