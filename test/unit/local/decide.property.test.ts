import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { digitsCell as cell } from "../../support/local-fixtures.js";
import { decideLocal } from "../../../src/local/decide.js";
import type { CellKey } from "../../../src/local/layout/page-layout.js";
import type { LocalDocumentRead } from "../../../src/local/local-read.js";
import type { LocalCellRead } from "../../../src/local/recognize/read-cell.js";

/** A consistent constituency form as written: 10 printed rows, totals that add up. */
const writtenForm = fc
  .record({
    rows: fc.array(fc.nat({ max: 900 }), { minLength: 10, maxLength: 10 }),
    bad: fc.nat({ max: 60 }),
    novote: fc.nat({ max: 60 }),
    fiveEighteen: fc.boolean(),
    remaining: fc.nat({ max: 400 }),
  })
  .map(({ rows, bad, novote, fiveEighteen, remaining }) => {
    const good = rows.reduce((a, b) => a + b, 0);
    const used = good + bad + novote;
    const values = new Map<CellKey, number>(rows.map((v, i) => [`row:${i + 1}` as const, v]));
    values.set("good", good).set("voteTotal", good).set("bad", bad).set("noVote", novote);
    if (fiveEighteen)
      values
        .set("ballotsUsed", used)
        .set("ballotsRemaining", remaining)
        .set("ballotsReceived", used + remaining);
    else values.set("ballotsReceived", used);
    return values;
  });

function document(cells: Map<CellKey, LocalCellRead>): LocalDocumentRead {
  return { kind: "constituency", pages: [{ page: 1, role: "constituency_1", failure: null, cells, cpuMs: 1 }], cells };
}

/** A reading of the form where `misread` cells show a wrong value; `truthPlausible` keeps the written value among their alternatives. */
const misreadForm = (misreadCount: number) =>
  writtenForm.chain((written) =>
    fc
      .record({
        misread: fc.shuffledSubarray([...written.keys()], { minLength: misreadCount, maxLength: misreadCount }),
        deltas: fc.array(
          fc.integer({ min: -300, max: 300 }).filter((d) => d !== 0),
          { minLength: misreadCount, maxLength: misreadCount },
        ),
        confidences: fc.array(fc.double({ min: 0.5, max: 1, noNaN: true }), { minLength: 14, maxLength: 14 }),
        truthPlausible: fc.boolean(),
      })
      .map(({ misread, deltas, confidences, truthPlausible }) => {
        const cells = new Map<CellKey, LocalCellRead>();
        [...written.entries()].forEach(([key, value], i) => {
          const k = misread.indexOf(key);
          const shown = k >= 0 ? Math.max(0, value + deltas[k]!) : value;
          const others = k >= 0 && truthPlausible && shown !== value ? [value] : [];
          cells.set(key, cell(shown, confidences[i]!, others));
        });
        return { written, cells, misread };
      }),
  );

describe("decideLocal properties", () => {
  it("never verifies a form with one misread cell, however confident", () => {
    fc.assert(
      fc.property(misreadForm(1), ({ written, cells }) => {
        const wrong = [...cells].some(([key, c]) => c.value !== written.get(key));
        if (wrong) expect(decideLocal(document(cells)).verified).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("never verifies two misreads that cancel out when the written values were plausible readings", () => {
    fc.assert(
      fc.property(misreadForm(2), ({ written, cells, misread }) => {
        const wrongKeys = misread.filter((key) => cells.get(key)?.value !== written.get(key));
        const hidden = wrongKeys.every((key) => (cells.get(key)?.otherValues ?? []).includes(written.get(key)!));
        // Weak (below the bar) cells carry their alternatives into the uniqueness check.
        const weak = wrongKeys.every((key) => (cells.get(key)?.confidence ?? 1) < 0.9);
        if (wrongKeys.length > 0 && hidden && weak) expect(decideLocal(document(cells)).verified).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("never verifies two weak rows misread so that they cancel, when the written values were plausible", () => {
    fc.assert(
      fc.property(
        writtenForm,
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 90 }),
        (written, a, b, delta) => {
          fc.pre(a !== b && written.get(`row:${b}`)! >= delta);
          const cells = new Map<CellKey, LocalCellRead>([...written].map(([key, value]) => [key, cell(value, 0.97, [])]));
          const rowA = `row:${a}` as const;
          const rowB = `row:${b}` as const;
          cells.set(rowA, cell(written.get(rowA)! + delta, 0.7, [written.get(rowA)!]));
          cells.set(rowB, cell(written.get(rowB)! - delta, 0.7, [written.get(rowB)!]));
          const decision = decideLocal(document(cells));
          expect(decision.verified).toBe(false);
          expect(decision.reasons.join(" ")).toMatch(/another plausible reading/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("verifies a consistent form read right with confidence", () => {
    fc.assert(
      fc.property(writtenForm, (written) => {
        const cells = new Map<CellKey, LocalCellRead>([...written].map(([key, value]) => [key, cell(value, 0.95, [])]));
        const decision = decideLocal(document(cells));
        expect(decision.verified).toBe(true);
        expect(decision.doubtedCells).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
