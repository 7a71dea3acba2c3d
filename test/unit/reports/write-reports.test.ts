import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixtureBatch, MINI_REFERENCE_DIR } from "../../fixtures/reference/fixture-batch.js";
import { FormResultSchema } from "../../../src/forms/form-result.js";
import { loadReference } from "../../../src/reference/load-reference.js";
import { parseCsv } from "../../../src/reports/csv.js";
import { writeReports } from "../../../src/reports/write-reports.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
async function outDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "reports-"));
  dirs.push(dir);
  return dir;
}
async function* slowly<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) {
    await new Promise((resolve) => setImmediate(resolve));
    yield item;
  }
}

describe("writeReports", () => {
  it("writes every export of the fixture batch", async () => {
    const loaded = await loadReference(MINI_REFERENCE_DIR);
    if (!loaded.ok) throw new Error(loaded.error.message);
    const dir = await outDir();
    const batch = fixtureBatch();
    const { files } = await writeReports({
      results: slowly(batch),
      outDir: dir,
      reference: loaded.value,
      meta: { generatedAt: "2026-02-10T12:00:00Z", command: "ballot-ocr process forms/", provider: "fake", model: "m" },
      contentDuplicates: [
        { documentId: batch[6]!.document.id, paths: [batch[6]!.document.sources[0]!.path, "แพร่/เขต2/ร้องกวาง/หน่วย9/ส.ส.5-18.pdf"] },
      ],
    });
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      "results.jsonl",
      "votes.csv",
      "stations.csv",
      "constituencies.csv",
      "summary.md",
    ]);

    const jsonl = (await readFile(join(dir, "results.jsonl"), "utf8")).trimEnd().split("\n");
    expect(jsonl).toHaveLength(batch.length);
    expect(FormResultSchema.parse(JSON.parse(jsonl[0]!)).document.id).toBe(batch[0]!.document.id);

    const votesBytes = await readFile(join(dir, "votes.csv"));
    expect([...votesBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM for Excel
    const votesText = votesBytes.toString("utf8");
    expect(votesText.split("\r\n").length).toBeGreaterThan(10); // CRLF records
    const votes = parseCsv(votesText);
    const header = votes[0]!;
    const rows = votes.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
    expect(rows).toHaveLength(batch.reduce((n, r) => n + r.votes.length, 0));
    expect(rows[0]).toMatchObject({
      path: "แพร่/เขต1/ในเวียง/หน่วย1/สส518.pdf",
      form_kind: "constituency",
      province: "แพร่",
      province_id: "PRE",
      row_number: "1",
      reference_id: "PRE_1_1",
      name: "นางสาวทดสอบ หนึ่ง",
      party: "ภูมิใจไทย",
      value: "100",
      document_status: "verified",
    });
    const partyRow = rows.find((r) => r["form_kind"] === "party_list" && r["row_number"] === "2");
    expect(partyRow).toMatchObject({ reference_id: "party_2", name: "เพื่อไทย" });

    const stations = parseCsv(await readFile(join(dir, "stations.csv"), "utf8"));
    expect(stations).toHaveLength(1 + 10); // 5 units × 2 kinds; the duplicate is not a row
    const constituencies = parseCsv(await readFile(join(dir, "constituencies.csv"), "utf8"));
    expect(constituencies.map((r) => r.slice(0, 5).join(" "))).toEqual([
      "constituency_id province province_id constituency form_kind",
      "PRE_1 แพร่ PRE 1 constituency",
      "PRE_1 แพร่ PRE 1 party_list",
      "PRE_2 แพร่ PRE 2 constituency",
      "PRE_2 แพร่ PRE 2 party_list",
    ]);

    const summary = await readFile(join(dir, "summary.md"), "utf8");
    const discrepancies = summary.slice(summary.indexOf("## Discrepancies"), summary.indexOf("## Duplicates"));
    const firstRow = discrepancies.split("\n").find((l) => l.startsWith("| 1 |"));
    expect(firstRow).toContain("critical");
    expect(firstRow).toContain("PRE_1_1");
    const duplicates = summary.slice(summary.indexOf("## Duplicates"), summary.indexOf("## Constituency and party-list"));
    expect(duplicates.match(/same station reported twice/g)).toHaveLength(1);
    expect(duplicates).toContain("สส518-สแกนซ้ำ.pdf");
    expect(duplicates).toContain("**same image content under different stations** (read and counted once)");
    expect(summary).toContain("| needs_review | 1 |");
    expect(summary).toMatch(/## Review queue \(top 1\)/);
  });

  it("works without a reference", async () => {
    const dir = await outDir();
    await writeReports({ results: fixtureBatch(), outDir: dir, meta: { generatedAt: "now" } });
    const votes = parseCsv(await readFile(join(dir, "votes.csv"), "utf8"));
    expect(votes[1]![13]).toBe(""); // no name without a reference
    expect(await readFile(join(dir, "summary.md"), "utf8")).toContain("Reference: none");
  });
});
