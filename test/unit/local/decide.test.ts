import { describe, expect, it } from "vitest";
import { digitsCell as digits, unsureCell } from "../../support/local-fixtures.js";
import { decideLocal } from "../../../src/local/decide.js";
import type { CellKey } from "../../../src/local/layout/page-layout.js";
import type { LocalDocumentRead } from "../../../src/local/local-read.js";
import type { LocalCellRead } from "../../../src/local/recognize/read-cell.js";

const blank: LocalCellRead = { mark: "blank", digits: null, value: 0, confidence: 1, doubt: null, otherValues: [] };

function constituency(overrides: Partial<Record<CellKey, LocalCellRead>> = {}): LocalDocumentRead {
  const cells = new Map<CellKey, LocalCellRead>();
  [108, 54, 15, 424, 8, 5].forEach((v, i) => {
    cells.set(`row:${i + 1}`, digits(v));
  });
  for (let row = 7; row <= 10; row++) cells.set(`row:${row}`, blank);
  cells.set("good", digits(614));
  cells.set("bad", digits(7));
  cells.set("noVote", digits(36));
  cells.set("ballotsReceived", digits(657));
  cells.set("voteTotal", digits(614));
  for (const [key, read] of Object.entries(overrides) as [CellKey, LocalCellRead][]) cells.set(key, read);
  return { kind: "constituency", pages: [{ page: 1, role: "constituency_1", failure: null, cells, cpuMs: 1 }], cells };
}

describe("decideLocal", () => {
  it("verifies a form whose cells are confident and whose sums all hold", () => {
    expect(decideLocal(constituency())).toMatchObject({ verified: true, doubtedCells: [], confirmedBySums: [], reasons: [] });
  });

  it("doubts a cell below the floor or unreadable even when the sums hold", () => {
    const decision = decideLocal(constituency({ "row:2": digits(54, 0.6) }));
    expect(decision.verified).toBe(false);
    expect(decision.doubtedCells).toEqual(["row:2"]);
    expect(decideLocal(constituency({ "row:2": unsureCell("junk") })).doubtedCells).toEqual(["row:2"]);
  });

  it("trusts weak cells the sums pin down: they hold for the reading and for no other plausible one", () => {
    const decision = decideLocal(
      constituency({ "row:2": digits(54, 0.75, [34, 59]), good: digits(614, 0.8, [674]), bad: digits(7, 0.85, [1]) }),
    );
    expect(decision).toMatchObject({ verified: true, doubtedCells: [], confirmedBySums: ["row:2", "good", "bad"], reasons: [] });
  });

  it("doubts weak cells when another plausible reading also balances every sum", () => {
    // 118 + 44 = 108 + 54: a 0/1 and a 5/4 confusion would cancel out.
    const swapped = decideLocal(constituency({ "row:1": digits(108, 0.7, [118]), "row:2": digits(54, 0.7, [44]) }));
    expect(swapped.verified).toBe(false);
    expect(swapped.doubtedCells).toEqual(["row:1", "row:2"]);
    expect(swapped.reasons.join(" ")).toMatch(/another plausible reading/);
    // 674 for good, the total line and 717 received would also need a row 60 higher: none can be, so one solution...
    const twin = decideLocal(
      constituency({ good: digits(614, 0.7, [674]), voteTotal: digits(614, 0.7, [674]), ballotsReceived: digits(657, 0.7, [717]) }),
    );
    expect(twin.verified).toBe(true);
    // ...until row 4 could be 484.
    const twinWithRow = decideLocal(
      constituency({
        good: digits(614, 0.7, [674]),
        voteTotal: digits(614, 0.7, [674]),
        ballotsReceived: digits(657, 0.7, [717]),
        "row:4": digits(424, 0.7, [484]),
      }),
    );
    expect(twinWithRow.verified).toBe(false);
  });

  it("does not confirm more weak cells than the sums can carry, and never a failing sum", () => {
    const weakRows = Object.fromEntries([108, 54, 15, 424, 8, 5].map((v, i) => [`row:${i + 1}`, digits(v, 0.8)]));
    const many = decideLocal(constituency({ ...weakRows, good: digits(614, 0.8), bad: digits(7, 0.8), noVote: digits(36, 0.8) }));
    expect(many.verified).toBe(false);
    expect(many.reasons.join(" ")).toMatch(/more than they can confirm/);
    const failing = decideLocal(constituency({ "row:2": digits(55, 0.7, [54]) }));
    expect(failing.verified).toBe(false);
    expect(failing.doubtedCells).toEqual(["row:2"]);
  });

  it("refuses when a sum fails: rows vs good, total line, good + bad + no-vote vs received", () => {
    expect(decideLocal(constituency({ "row:1": digits(109) })).verified).toBe(false);
    expect(decideLocal(constituency({ voteTotal: digits(641) })).verified).toBe(false);
    expect(decideLocal(constituency({ bad: digits(8) })).verified).toBe(false);
  });

  it("falls back to the ballots found in envelopes when the received line is blank", () => {
    const read = constituency({ ballotsReceived: blank, ballotsInEnvelopes: digits(657) });
    expect(decideLocal(read).verified).toBe(true);
    expect(decideLocal(constituency({ ballotsReceived: blank })).verified).toBe(false);
  });

  it("refuses a form with missing cells or an unknown kind", () => {
    const read = constituency();
    const cells = new Map(read.cells);
    cells.delete("row:10");
    expect(decideLocal({ ...read, cells }).doubtedCells).toEqual(["row:10"]);
    expect(decideLocal({ ...read, kind: null }).verified).toBe(false);
  });
});
