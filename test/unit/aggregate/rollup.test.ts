import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeFormResult } from "../../fixtures/reference/make-form-result.js";
import { FORM_KINDS } from "../../../src/forms/form-kind.js";
import { type AreaTotals, BALLOT_FIELDS, emptyAreaTotals, mergeAreaTotals } from "../../../src/aggregate/area-totals.js";
import { summariseForm } from "../../../src/aggregate/form-summary.js";
import { rollUp, stationTotals } from "../../../src/aggregate/rollup.js";
import { groupStations } from "../../../src/aggregate/stations.js";

const formArbitrary = fc.record({
  province: fc.constantFrom("PRE", "NAN", null),
  constituency: fc.integer({ min: 1, max: 3 }),
  unit: fc.integer({ min: 1, max: 6 }),
  kind: fc.constantFrom("constituency" as const, "party_list" as const),
  votes: fc.array(fc.option(fc.integer({ min: 0, max: 100_000 }), { freq: 8 }), { minLength: 1, maxLength: 8 }),
  bad: fc.option(fc.integer({ min: 0, max: 5000 }), { freq: 8 }),
  noVote: fc.integer({ min: 0, max: 5000 }),
  content: fc.integer({ min: 0, max: 40 }),
});

function plain(totals: AreaTotals) {
  return FORM_KINDS.map((kind) => ({
    ...Object.fromEntries(BALLOT_FIELDS.map((f) => [f, totals[kind][f]])),
    forms: totals[kind].forms,
    votes: [...totals[kind].votes].sort(([a], [b]) => a - b),
    unknown: [...totals[kind].unknown].sort(([a], [b]) => a.localeCompare(b)),
  }));
}

describe("rollUp", () => {
  it("each level is the exact sum of the level below, and duplicates are never counted", () => {
    fc.assert(
      fc.property(fc.array(formArbitrary, { maxLength: 60 }), (specs) => {
        const forms = specs.map((s, i) =>
          summariseForm(
            makeFormResult({
              path: `f${i}.pdf`,
              content: `c${s.content}`,
              kind: s.kind,
              provinceId: s.province,
              province: s.province,
              constituency: s.constituency,
              unit: s.unit,
              votes: s.votes,
              bad: s.bad,
              noVote: s.noVote,
            }),
          ),
        );
        const grouping = groupStations(forms);
        const rollup = rollUp(grouping.stations);
        // nation = provinces + unassigned
        const nation = emptyAreaTotals();
        for (const p of rollup.provinces.values()) mergeAreaTotals(nation, p.totals);
        mergeAreaTotals(nation, rollup.unassigned);
        expect(plain(nation)).toEqual(plain(rollup.national));
        // province = its constituencies; constituency = its stations
        for (const p of rollup.provinces.values()) {
          const sum = emptyAreaTotals();
          for (const key of p.constituencyKeys) mergeAreaTotals(sum, rollup.constituencies.get(key)!.totals);
          expect(plain(sum)).toEqual(plain(p.totals));
        }
        for (const c of rollup.constituencies.values()) {
          const sum = emptyAreaTotals();
          for (const s of c.stations) mergeAreaTotals(sum, stationTotals(s));
          expect(plain(sum)).toEqual(plain(c.totals));
        }
        // every form is counted once or listed as a duplicate, never both, never twice
        const counted = grouping.stations.flatMap((s) => FORM_KINDS.flatMap((k) => (s.forms[k] ? [s.forms[k]] : [])));
        expect(counted.length + grouping.duplicates.length + grouping.unclassified.length).toBe(forms.length);
        expect(rollup.national.constituency.forms + rollup.national.party_list.forms).toBe(counted.length);
        expect(new Set(counted.map((f) => f.documentId)).size).toBe(counted.length);
        // the national sum of a field is the plain sum of the counted forms' known values
        for (const kind of FORM_KINDS) {
          const expected = counted.filter((f) => f.formKind === kind).reduce((s, f) => s + (f.counts.bad ?? 0), 0);
          expect(rollup.national[kind].bad).toBe(expected);
        }
      }),
      { numRuns: 150 },
    );
  });
});
