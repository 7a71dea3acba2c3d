import { describe, expect, it } from "vitest";
import { makeFormResult } from "../../fixtures/reference/make-form-result.js";
import { summariseForm } from "../../../src/aggregate/form-summary.js";
import { checkPairs, pairingExceeds } from "../../../src/aggregate/pairing.js";
import { groupStations } from "../../../src/aggregate/stations.js";

const form = (path: string, extra: Partial<Parameters<typeof makeFormResult>[0]> = {}) =>
  summariseForm(makeFormResult({ path, kind: "constituency", votes: [10, 20], bad: 1, noVote: 1, ...extra }));

describe("groupStations", () => {
  it("counts the same station reported twice once, keeping the better status, and compares the two", () => {
    const first = form("a.pdf", { status: "needs_review" });
    const second = form("b.pdf", { votes: [10, 21] });
    const { stations, duplicates } = groupStations([first, second]);
    expect(stations).toHaveLength(1);
    expect(stations[0]!.forms.constituency?.path).toBe("b.pdf");
    expect(duplicates).toEqual([
      expect.objectContaining({ kind: "same_station", differences: ["ballotsUsed", "good", "voteTotal", "row 2"] }),
    ]);
    expect(duplicates[0]!.ignored.path).toBe("a.pdf");
  });

  it("counts the same content under two stations once", () => {
    const a = form("แพร่/หน่วย1.pdf", { content: "same", unit: 1 });
    const b = form("แพร่/หน่วย2.pdf", { content: "same", unit: 2 });
    const { stations, duplicates } = groupStations([a, b]);
    expect(stations).toHaveLength(1);
    expect(duplicates).toEqual([expect.objectContaining({ kind: "same_content", differences: [] })]);
  });

  it("keeps stations apart by subdistrict, unit and form code; unidentified forms stay separate", () => {
    const forms = [
      form("1.pdf", { subdistrict: "ในเวียง", unit: 1 }),
      form("2.pdf", { subdistrict: "ตำบลนาจักร", unit: 1 }),
      form("3.pdf", { subdistrict: "นาจักร", unit: 1, status: "failed" }),
      form("4.pdf", { code: "5/16", unit: null, setNumber: 1 }),
      form("5.pdf", { unit: null }),
      form("6.pdf", { unit: null }),
    ];
    const { stations, duplicates } = groupStations(forms);
    expect(stations.map((s) => s.identified)).toEqual([true, true, true, false, false]);
    expect(duplicates).toHaveLength(1); // ตำบลนาจักร = นาจักร
  });
});

describe("pairing", () => {
  it("flags a station whose two forms differ beyond the threshold", () => {
    expect(pairingExceeds(100, 103)).toBe(false);
    expect(pairingExceeds(100, 104)).toBe(true);
    expect(pairingExceeds(1000, 1015)).toBe(false);
    expect(pairingExceeds(1000, 1021)).toBe(true);
    const constituency = form("c.pdf", { votes: [100, 100], bad: 2, noVote: 2 });
    const partyList = summariseForm(makeFormResult({ path: "p.pdf", kind: "party_list", votes: [80, 100], bad: 2, noVote: 2 }));
    const okPair = summariseForm(makeFormResult({ path: "q.pdf", kind: "party_list", unit: 2, votes: [100, 99], bad: 2, noVote: 2 }));
    const other = form("d.pdf", { unit: 2, votes: [100, 100], bad: 2, noVote: 2 });
    const flags = checkPairs(groupStations([constituency, partyList, okPair, other]).stations);
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ constituencyBallots: 204, partyListBallots: 184, difference: 20 });
  });
});
