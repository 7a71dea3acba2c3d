import { describe, expect, it } from "vitest";
import { decideLocal } from "./decide.js";
import type { CellKey } from "./layout/page-layout.js";
import type { LocalDocumentRead } from "./local-read.js";
import type { LocalCellRead } from "./recognize/read-cell.js";

const digits = (value: number, confidence = 0.99): LocalCellRead => ({
  mark: "digits",
  digits: String(value),
  value,
  confidence,
  doubt: null,
});
const blank: LocalCellRead = { mark: "blank", digits: null, value: 0, confidence: 1, doubt: null };

function constituency(overrides: Partial<Record<CellKey, LocalCellRead>> = {}): LocalDocumentRead {
  const cells = new Map<CellKey, LocalCellRead>();
  [108, 54, 15, 424, 8, 5].forEach((v, i) => {
    cells.set(`row:${i + 1}`, digits(v));
  });
  for (let row = 7; row <= 10; row++) cells.set(`row:${row}`, blank);
  cells.set("good", digits(614));
  cells.set("bad", digits(7));
  cells.set("novote", digits(36));
  cells.set("received", digits(657));
  cells.set("total_line", digits(614));
  for (const [key, read] of Object.entries(overrides) as [CellKey, LocalCellRead][]) cells.set(key, read);
  return { kind: "constituency", pages: [{ page: 1, role: "constituency_1", failure: null, cells, cpuMs: 1 }], cells };
}

describe("decideLocal", () => {
  it("verifies a form whose cells are confident and whose sums all hold", () => {
    expect(decideLocal(constituency())).toEqual({ verified: true, doubtedCells: [], reasons: [] });
  });

  it("doubts a low-confidence or unreadable cell even when the sums hold", () => {
    const decision = decideLocal(constituency({ "row:2": digits(54, 0.5) }));
    expect(decision.verified).toBe(false);
    expect(decision.doubtedCells).toEqual(["row:2"]);
  });

  it("refuses when a sum fails: rows vs good, total line, good + bad + no-vote vs received", () => {
    expect(decideLocal(constituency({ "row:1": digits(109) })).verified).toBe(false);
    expect(decideLocal(constituency({ total_line: digits(641) })).verified).toBe(false);
    expect(decideLocal(constituency({ bad: digits(8) })).verified).toBe(false);
  });

  it("falls back to the ballots found in envelopes when the received line is blank", () => {
    const read = constituency({ received: blank, ballots_in_envelopes: digits(657) });
    expect(decideLocal(read).verified).toBe(true);
    expect(decideLocal(constituency({ received: blank })).verified).toBe(false);
  });

  it("refuses a form with missing cells or an unknown kind", () => {
    const read = constituency();
    const cells = new Map(read.cells);
    cells.delete("row:10");
    expect(decideLocal({ ...read, cells }).doubtedCells).toEqual(["row:10"]);
    expect(decideLocal({ ...read, kind: null }).verified).toBe(false);
  });
});
