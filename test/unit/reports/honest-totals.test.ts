import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FormResult } from "../../../src/forms/form-result.js";
import { parseCsv } from "../../../src/reports/csv.js";
import { locateThaiFonts } from "../../../src/reports/pdf/thai-fonts.js";
import { writeReports } from "../../../src/reports/write-reports.js";
import { collectOverview } from "../../../src/web/overview.js";
import { makeFormResult } from "../../fixtures/reference/make-form-result.js";
import { hasPdftotext, pdfText } from "../../support/pdf-text.js";

/**
 * A batch like the offline reader leaves it on real scans: some cells unread. Party 2 leads on
 * the one party-list form read in full; the other form read party 1 as 65 and could not read
 * party 2 at all, so summing partial reads makes party 1 the "leader" (the old chart's error).
 */
function partialBatch(): FormResult[] {
  const blankRows = (result: FormResult): FormResult => ({
    ...result,
    // Printed rows 3 and 4 have no candidate: nothing is written in them.
    votes: [...result.votes, ...[3, 4].map((number) => ({ number, digits: null, words: null, value: null, mark: "blank" as const }))],
  });
  return [
    blankRows(
      makeFormResult({
        path: "แพร่/เขต1/ชุด1/สส517.pdf",
        kind: "constituency",
        code: "5/17",
        unit: null,
        setNumber: 1,
        votes: [100, 50],
        bad: 5,
        noVote: 3,
      }),
    ),
    blankRows(
      makeFormResult({
        path: "แพร่/เขต1/ชุด2/สส517.pdf",
        kind: "constituency",
        code: "5/17",
        unit: null,
        setNumber: 2,
        votes: [null, 40],
        bad: 2,
        noVote: null,
        status: "needs_review",
      }),
    ),
    makeFormResult({
      path: "แพร่/เขต1/ชุด1/สส517บช.pdf",
      kind: "party_list",
      code: "5/17",
      unit: null,
      setNumber: 1,
      votes: [10, 30, 5],
      bad: 1,
      noVote: 1,
    }),
    makeFormResult({
      path: "แพร่/เขต1/ชุด2/สส517บช.pdf",
      kind: "party_list",
      code: "5/17",
      unit: null,
      setNumber: 2,
      votes: [65, null, 2],
      bad: 1,
      noVote: 0,
      status: "needs_review",
    }),
  ];
}

function records(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i] ?? ""])));
}

let dir = "";
let files: string[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "honest-totals-"));
  files = (
    await writeReports({ results: partialBatch(), outDir: dir, meta: { generatedAt: "2026-02-10T12:00:00Z" }, pdf: locateThaiFonts().ok })
  ).files;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("honest totals: a sum with an unread cell is never shown as a number", () => {
  it("summary.md shows partial sums as ≥ with the unread count", async () => {
    const summary = await readFile(join(dir, "summary.md"), "utf8");
    const totals = summary.slice(summary.indexOf("## Totals by form kind"));
    const constituency = totals.split("\n").find((line) => line.startsWith("| แบ่งเขต"))!;
    // forms 2, read in full 1; ballots used unread on the second form; good unread; bad 5 + 2; no vote unread
    expect(constituency).toBe(
      "| แบ่งเขต (constituency) | 2 | 1 | ≥ 158 (1 cell unread) | ≥ 150 (1 cell unread) | 7 | ≥ 3 (1 cell unread) | 1 |",
    );
    const partyList = totals.split("\n").find((line) => line.startsWith("| บัญชีรายชื่อ"))!;
    expect(partyList).toContain("| 2 | 1 |");
    expect(partyList).toContain("≥ 45 (1 cell unread)");
  });

  it("constituencies.csv leaves partial sums empty and says how many cells are unread", async () => {
    const [constituency, partyList] = records(await readFile(join(dir, "constituencies.csv"), "utf8"));
    expect(constituency).toMatchObject({
      form_kind: "constituency",
      forms: "2",
      forms_with_all_votes: "1",
      ballots_used: "",
      ballots_used_unread: "1",
      good: "",
      good_unread: "1",
      bad: "7",
      bad_unread: "0",
      no_vote: "",
      no_vote_unread: "1",
      vote_cells_unread: "1",
    });
    expect(partyList).toMatchObject({
      form_kind: "party_list",
      bad: "2",
      no_vote: "1",
      good: "",
      good_unread: "1",
      vote_cells_unread: "1",
    });
  });

  it("stations.csv says how many cells of each form are unread", async () => {
    const stations = records(await readFile(join(dir, "stations.csv"), "utf8"));
    const second = stations.find((s) => s["path"] === "แพร่/เขต1/ชุด2/สส517.pdf")!;
    expect(second).toMatchObject({ good: "", sum_of_rows: "", no_vote: "", unread_cells: "5" });
    expect(stations.find((s) => s["path"] === "แพร่/เขต1/ชุด1/สส517.pdf")).toMatchObject({ good: "150", unread_cells: "0" });
  });

  it("votes.csv lists no printed row without a candidate, and an unread cell has no value", async () => {
    const votes = records(await readFile(join(dir, "votes.csv"), "utf8"));
    const constituencyRows = votes.filter((v) => v["form_kind"] === "constituency");
    expect(constituencyRows.map((v) => v["row_number"])).toEqual(["1", "2", "1", "2"]);
    expect(constituencyRows[2]).toMatchObject({ row_number: "1", value: "", mark: "illegible" });
  });

  it("the web overview gives no number for a partial sum and ranks rows from complete forms only", async () => {
    const overview = await collectOverview(partialBatch());
    const constituency = overview.national["constituency"]!;
    expect(constituency.good).toBeNull();
    expect(constituency.atLeast.good).toBe(150);
    expect(constituency.unread.good).toBe(1);
    expect(constituency.bad).toBe(7);
    const partyList = overview.national["party_list"]!;
    expect(partyList.votes[0]).toEqual([2, 30]);
    expect(partyList.completeForms).toBe(1);
    expect(partyList.leftOut).toBe(1);
    expect(overview.areas[0]!.kinds["constituency"]!.ballotsUsed).toBeNull();
  });

  it.skipIf(!locateThaiFonts().ok || !hasPdftotext())(
    "the PDFs chart complete forms only, say how many were left out, and show partial sums as ≥",
    () => {
      const executive = pdfText(files.find((f) => f.endsWith("executive-summary.pdf"))!, { oneLine: true });
      expect(executive).toContain("1. พรรคหมายเลข 2 30");
      expect(executive).not.toContain("1. พรรคหมายเลข 1 75");
      expect(executive).toMatch(/1 of 2 forms with every vote read; 1 left out/);
      const batch = pdfText(files.find((f) => f.endsWith("batch-summary.pdf"))!, { oneLine: true });
      expect(batch).toMatch(/1 left out/);
      expect(batch).toContain("66.7%"); // party 2: 30 of the complete form's 45
      const constituency = pdfText(files.find((f) => f.includes("constituency-"))!, { oneLine: true });
      expect(constituency).toContain("≥ 150");
      expect(constituency).toContain("ยังอ่านไม่ได้ 1 ช่อง");
      const candidates = constituency.slice(constituency.indexOf("Candidates"), constituency.indexOf("บัตรเลือกตั้ง · Ballots"));
      expect(candidates).toContain("2 – – 90");
      expect(candidates).not.toMatch(/ 3 – – /);
    },
  );
});
