import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { csvField, parseCsv } from "../../../src/reports/csv.js";
import { writeReports } from "../../../src/reports/write-reports.js";
import { makeFormResult } from "../../fixtures/reference/make-form-result.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** What a spreadsheet runs as a formula when it opens a cell. */
const FORMULA = /^(?:[=+@\t\r]|-.)/s;

describe("CSV formula injection", () => {
  it("neutralises a leading -, =, +, @, tab and CR, but keeps a lone dash", () => {
    expect(csvField("-2+3")).toBe("'-2+3");
    expect(csvField('-1+HYPERLINK("http://x.example","y")')).toBe(`"'-1+HYPERLINK(""http://x.example"",""y"")"`);
    expect(csvField("=1")).toBe("'=1");
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("\t=1")).toBe("'\t=1");
    expect(csvField("\r=1")).toBe('"\'\r=1"');
    expect(csvField("-")).toBe("-");
    expect(csvField(-3)).toBe("-3");
  });

  it("no text cell of any CSV export starts a formula: file names, places and edited_by", async () => {
    const dir = await mkdtemp(join(tmpdir(), "csv-injection-"));
    dirs.push(dir);
    const hostile = [
      makeFormResult({ path: "-2+3", kind: "constituency", unit: 1, votes: [10, 5], bad: 1, noVote: 1, editedBy: "-1+1" }),
      makeFormResult({
        path: '-1+HYPERLINK("http://x.example/?leak","open me")',
        kind: "party_list",
        unit: 1,
        subdistrict: "-1+1",
        votes: [3, 4],
        bad: 0,
        noVote: 0,
        editedBy: "=cmd",
      }),
      makeFormResult({
        path: "@evil.pdf",
        kind: "constituency",
        province: "+แพร่",
        provinceId: null,
        unit: 2,
        votes: [1, 2],
        bad: 0,
        noVote: 0,
      }),
    ];
    await writeReports({ results: hostile, outDir: dir, meta: { generatedAt: "2026-02-10T12:00:00Z" } });
    let cells = 0;
    for (const name of ["votes.csv", "stations.csv", "constituencies.csv"]) {
      const rows = parseCsv(await readFile(join(dir, name), "utf8"));
      for (const row of rows) {
        for (const value of row) {
          cells += 1;
          expect(value, `${name}: ${JSON.stringify(value)}`).not.toMatch(FORMULA);
        }
      }
    }
    expect(cells).toBeGreaterThan(50);
    const votes = await readFile(join(dir, "votes.csv"), "utf8");
    expect(votes).toContain("'-2+3");
    expect(votes).toContain("'-1+1");
    expect(votes).toContain("'-1+HYPERLINK(");
    expect(await readFile(join(dir, "stations.csv"), "utf8")).toContain("'-2+3");
  });
});
