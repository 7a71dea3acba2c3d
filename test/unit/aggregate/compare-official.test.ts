import { describe, expect, it } from "vitest";
import { fixtureBatch, MINI_REFERENCE_DIR } from "../../fixtures/reference/fixture-batch.js";
import { loadReference } from "../../../src/reference/load-reference.js";
import { analyseResults } from "../../../src/aggregate/batch-analysis.js";
import { discrepancySeverity } from "../../../src/aggregate/severity.js";

async function reference() {
  const loaded = await loadReference(MINI_REFERENCE_DIR);
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.value;
}

describe("compareWithOfficial on the fixture batch", () => {
  it("ranks the planted discrepancy first and counts the duplicate once", async () => {
    const analysis = analyseResults(fixtureBatch(), await reference());
    const [first, second, ...rest] = analysis.comparison.discrepancies;
    expect(first).toMatchObject({
      level: "constituency",
      area: "PRE_1",
      kind: "constituency",
      measure: "candidateVotes",
      subject: "PRE_1_1 นางสาวทดสอบ หนึ่ง",
      ours: 310,
      official: 410,
      difference: -100,
      severity: "critical",
    });
    expect(first!.forms.length).toBeGreaterThan(0);
    expect(second).toMatchObject({ area: "PRE_1", kind: "party_list", measure: "invalid", ours: 13, official: 14, severity: "minor" });
    expect(rest).toEqual([]);
    // the duplicate is listed once and its numbers are not in the sums
    expect(analysis.grouping.duplicates).toHaveLength(1);
    expect(analysis.grouping.duplicates[0]).toMatchObject({ kind: "same_station", differences: ["row 3"] });
    expect(analysis.rollup.provinces.get("PRE")!.totals.constituency.good).toBe(785);
    expect(analysis.comparison.matches).toBeGreaterThan(20);
  });

  it("never compares a partial sum", async () => {
    const partial = fixtureBatch().filter((r) => !(r.location.constituency === 2 && r.location.unit === 2));
    const analysis = analyseResults(partial, await reference());
    expect(analysis.comparison.discrepancies.every((d) => d.area === "PRE_1")).toBe(true);
    const reasons = analysis.comparison.notCompared.map((n) => `${n.area} ${n.kind}: ${n.reason}`);
    expect(reasons).toContain("PRE_2 constituency: coverage 1/2 polling units: a partial sum is not compared");
    expect(reasons).toContain("PRE constituency: coverage 4/5 polling units: a partial sum is not compared");
    expect(reasons).toContain("national constituency: coverage 4/7 polling units: a partial sum is not compared");
  });

  it("does not compare a value that is unknown on some form", async () => {
    const batch = fixtureBatch();
    batch[0]!.totals.bad = { digits: null, words: null, value: null, mark: "illegible" };
    const analysis = analyseResults(batch, await reference());
    expect(analysis.comparison.notCompared.map((n) => `${n.area} ${n.reason}`)).toContain("PRE_1 invalid: unknown on 1 form(s)");
    expect(analysis.comparison.discrepancies.some((d) => d.measure === "invalid" && d.kind === "constituency")).toBe(false);
  });
});

describe("discrepancySeverity", () => {
  it("needs both the absolute and the relative minimum", () => {
    expect(discrepancySeverity(100, 100)).toBeNull();
    expect(discrepancySeverity(101, 100)).toBe("minor");
    expect(discrepancySeverity(1100, 1000)).toBe("critical");
    expect(discrepancySeverity(100_100, 100_000)).toBe("minor"); // 100 votes but 0.1%
    expect(discrepancySeverity(100_600, 100_000)).toBe("major");
    expect(discrepancySeverity(30, 10)).toBe("major"); // 200% but only 20 votes
  });
});
