import { describe, expect, it } from "vitest";
import { makeFormResult } from "../../fixtures/reference/make-form-result.js";
import { findAnomalies } from "../../../src/aggregate/anomalies.js";
import { summariseForm } from "../../../src/aggregate/form-summary.js";
import { median, medianAbsoluteDeviation, modifiedZScores } from "../../../src/aggregate/robust-stats.js";
import { rollUp } from "../../../src/aggregate/rollup.js";
import { groupStations } from "../../../src/aggregate/stations.js";

describe("robust statistics", () => {
  it("computes median, MAD and modified z-scores", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(medianAbsoluteDeviation([1, 2, 3, 4, 100])).toBe(1);
    const z = modifiedZScores([1, 2, 3, 4, 100]);
    expect(z[4]).toBeCloseTo(0.6745 * 97, 5);
    expect(modifiedZScores([5, 5, 5, 5, 9]).at(-1)).toBeGreaterThan(3.5); // MAD 0: mean deviation fallback
    expect(modifiedZScores([5, 5, 5])).toEqual([0, 0, 0]);
  });
});

describe("findAnomalies", () => {
  it("flags the station with an outlying invalid-ballot rate and candidate share", () => {
    const forms = [0, 1, 2, 3, 4, 5, 6, 7].map((i) =>
      summariseForm(
        makeFormResult({
          path: `u${i}.pdf`,
          kind: "constituency",
          unit: i + 1,
          votes: i === 5 ? [20, 180] : [100 + i, 100 - i],
          bad: i === 3 ? 60 : 4 + (i % 3),
          noVote: 3,
          eligibleVoters: 300,
        }),
      ),
    );
    const anomalies = findAnomalies(rollUp(groupStations(forms).stations).constituencies.values());
    const described = anomalies.map((a) => `${a.metric}${a.row ?? ""} ${a.form.path}`);
    expect(described).toContain("invalidRate u3.pdf");
    expect(described).toContain("candidateShare1 u5.pdf");
    expect(described).toContain("candidateShare2 u5.pdf");
    expect(described.some((d) => d.includes("u0.pdf"))).toBe(false);
  });

  it("needs enough stations", () => {
    const forms = [0, 1, 2].map((i) =>
      summariseForm(makeFormResult({ path: `u${i}.pdf`, kind: "constituency", unit: i + 1, votes: [10, 10], bad: i * 50, noVote: 0 })),
    );
    expect(findAnomalies(rollUp(groupStations(forms).stations).constituencies.values())).toEqual([]);
  });
});
