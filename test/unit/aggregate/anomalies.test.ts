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

  it("finds the median by selection exactly as a full sort does (ties, runs, even and odd counts)", () => {
    const sorted = (values: number[]) => {
      const s = [...values].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
    };
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const lists: number[][] = [[1], [2, 1], [5, 5, 5, 5], [1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1, 0]];
    for (let n = 1; n <= 300; n += 7) {
      lists.push(Array.from({ length: n }, () => random()));
      lists.push(Array.from({ length: n }, () => Math.floor(random() * 4))); // many ties
      lists.push(Array.from({ length: n }, (_, i) => i / 3)); // already sorted
      lists.push(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 0.25 : random()))); // more than half equal
    }
    for (const values of lists) {
      const given = [...values];
      const centre = sorted(values);
      expect(median(values)).toBe(centre);
      expect(medianAbsoluteDeviation(values)).toBe(sorted(values.map((v) => Math.abs(v - centre))));
      expect(values).toEqual(given); // the list given is left as it was
    }
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
