import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureBatch, MINI_REFERENCE_DIR } from "../../../fixtures/reference/fixture-batch.js";
import { analyseResults } from "../../../../src/aggregate/batch-analysis.js";
import { loadReference } from "../../../../src/reference/load-reference.js";
import { locateThaiFonts } from "../../../../src/reports/pdf/thai-fonts.js";
import { writePdfReports } from "../../../../src/reports/pdf/write-pdf-reports.js";
import { hasPdftotext, pdfText } from "../../../support/pdf-text.js";

function pageCount(pdf: Buffer): number {
  return (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length;
}

let dir = "";
let files: string[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pdf-"));
  const loaded = await loadReference(MINI_REFERENCE_DIR);
  if (!loaded.ok) throw new Error(loaded.error.message);
  const analysis = analyseResults(fixtureBatch(), loaded.value);
  const written = await writePdfReports(
    analysis,
    dir,
    { generatedAt: "2026-02-10T12:00:00Z", command: "ballot-ocr process forms" },
    loaded.value,
    {
      constituencies: ["PRE_1"],
    },
  );
  if (!written.ok) throw new Error(written.error);
  files = written.value;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!locateThaiFonts().ok)("writePdfReports", () => {
  it("writes the executive summary, the batch summary and the constituency reports asked for", async () => {
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      "pdf/executive-summary.pdf",
      "pdf/batch-summary.pdf",
      "pdf/constituency-PRE_1.pdf",
    ]);
    const executive = await readFile(files[0]!);
    expect(executive.subarray(0, 5).toString()).toBe("%PDF-");
    expect(pageCount(executive)).toBe(1);
  });

  it.skipIf(!hasPdftotext())("keeps Thai text searchable", () => {
    const executive = pdfText(files[0]!);
    expect(executive).toContain("สรุปผลการตรวจนับคะแนน");
    expect(executive).toContain("1. 3 ประชาชน 325"); // the chart's figures repeated as text
    const constituency = pdfText(files[2]!);
    expect(constituency).toContain("รายงานผลคะแนน แพร่ เขตเลือกตั้งที่ 1");
    expect(constituency).toContain("นางสาวทดสอบ หนึ่ง");
    expect(constituency).toContain("ภูมิใจไทย");
    expect(constituency).toContain("ตรวจสอบแล้ว");
    expect(constituency).toContain("บัตรที่ใช้");
  });

  it.skipIf(!hasPdftotext())("draws the charts as vectors whose titles, labels and values are text", async () => {
    for (const file of files) expect((await readFile(file)).toString("latin1")).not.toMatch(/\/Subtype\s*\/Image/);
    const executive = pdfText(files[0]!);
    expect(executive).toContain("คะแนนบัญชีรายชื่อ 5 อันดับแรก");
    expect(executive).toContain("คะแนน (votes)"); // the value axis title
    const batch = pdfText(files[1]!);
    expect(batch).toContain("สถานะแบบฟอร์ม (status)");
    expect(batch).toContain("ความเชื่อมั่นต่ำสุด (lowest confidence)");
    expect(batch).toMatch(/verified\s+needs review\s+failed/); // the category labels
    const constituency = pdfText(files[2]!);
    // The title is "คะแนนผู้สมัคร …"; pdfkit's text layer gives ผู้ as ผ + ้ + ู (everywhere, not only in charts).
    expect(constituency).toContain("สมัคร แพร่ เขต 1 (แบบฟอร์มที่อ่านครบ 3 ฉบับ)");
    expect(constituency).toContain("1 ทดสอบ หนึ่ง"); // a bar's label: number and name, title dropped
  });
});
