import { describe, expect, it } from "vitest";
import { FORM_CODES, FORM_KINDS } from "../forms/form-kind.js";
import { countedValue, FormResultSchema, type NumberCell } from "../forms/form-result.js";
import { PROVINCES } from "../forms/provinces.js";
import { parseThaiNumber } from "../forms/thai-number.js";
import { checkForm } from "../verify/check-form.js";
import { createRng } from "./rng.js";
import { generateSynthForm, synthFormToResult } from "./truth.js";
import { valueOfWrittenDigits } from "./written-number.js";

const DOC = { id: "0".repeat(64), sources: [{ path: "x.pdf", sha256: "0".repeat(64), bytes: 1 }], pages: [] };

function value(cell: NumberCell | null): number {
  if (cell === null) throw new Error("missing cell");
  const v = countedValue(cell);
  if (v === null) throw new Error("unknown cell");
  return v;
}

function* forms(errorRate: number, perCombination: number) {
  for (const formCode of FORM_CODES) {
    for (const formKind of FORM_KINDS) {
      for (let i = 0; i < perCombination; i++) {
        const rng = createRng(1000 + i).fork(`${formCode}-${formKind}`);
        yield generateSynthForm(rng, { formCode, formKind, errorRate });
      }
    }
  }
}

describe("generateSynthForm", () => {
  it("writes consistent tallies when nothing is injected", () => {
    for (const form of forms(0, 25)) {
      const t = form.totals;
      const votes = form.votes.reduce((sum, row) => sum + value(row), 0);
      expect(votes).toBe(value(t.good));
      expect(value(t.voteTotal)).toBe(value(t.good));
      const used = form.formCode === "5/18" ? value(t.ballotsUsed) : value(t.ballotsReceived);
      expect(value(t.good) + value(t.bad) + value(t.noVote)).toBe(used);
      if (form.formCode === "5/18") {
        expect(used).toBeGreaterThanOrEqual(300);
        expect(used).toBeLessThanOrEqual(900);
        expect(value(t.ballotsReceived) - value(t.ballotsUsed)).toBe(value(t.ballotsRemaining));
        expect(value(t.votersTurnedUp)).toBe(used);
        expect(value(t.eligibleVoters)).toBeGreaterThanOrEqual(value(t.votersTurnedUp));
      } else {
        expect(value(t.ballotsReceived)).toBeLessThanOrEqual(2000);
      }
      if (form.formCode === "5/17") {
        expect(value(t.envelopes)).toBe(value(t.ballotsReceived));
        expect(value(t.ballotsInEnvelopes)).toBe(value(t.ballotsReceived));
      } else {
        expect(t.envelopes).toBeNull();
      }
      // Digits and words say the same number in every cell.
      for (const cell of [...form.votes, ...Object.values(t)]) {
        if (cell === null || cell.mark !== "digits") continue;
        expect(valueOfWrittenDigits(cell.digits ?? "")).toBe(cell.value);
        if (cell.words !== null) expect(parseThaiNumber(cell.words)).toBe(cell.value);
      }
      if (form.formKind === "party_list") {
        expect(form.votes.map((row) => row.number)).toEqual(Array.from({ length: 57 }, (_, i) => i + 1));
      } else {
        expect(form.votes.length).toBeGreaterThanOrEqual(2);
        expect(form.votes.length).toBeLessThanOrEqual(10);
      }
      expect(PROVINCES.some((p) => p.thai === form.location.province)).toBe(true);
      expect(form.injected).toEqual([]);
      const result = synthFormToResult(form, DOC);
      expect(FormResultSchema.safeParse(result).success).toBe(true);
      expect(checkForm(result).status).toBe("verified");
    }
  });

  it("records every injected inconsistency as written, and the checks catch it", () => {
    let rows = 0;
    let totals = 0;
    for (const form of forms(1, 10)) {
      expect(form.injected).toHaveLength(1);
      const [error] = form.injected;
      if (!error) continue;
      const cell = error.target === "row" ? form.votes.find((row) => row.number === error.number) : form.totals[error.key ?? "good"];
      expect(cell?.digits).toBe(error.writtenDigits);
      expect(cell?.words).toBe(error.writtenWords);
      expect(cell?.value).toBe(valueOfWrittenDigits(error.writtenDigits));
      expect(cell?.value).not.toBe(error.trueValue);
      if (error.kind === "digit_slip" && error.writtenWords !== null) expect(parseThaiNumber(error.writtenWords)).toBe(error.trueValue);
      if (error.target === "row") rows++;
      else totals++;
      const result = synthFormToResult(form, DOC);
      expect(result.status).toBe("needs_review");
      expect(checkForm(result).status).toBe("needs_review");
    }
    expect(rows).toBeGreaterThan(0);
    expect(totals).toBeGreaterThan(0);
  });

  it("adds occasional struck-through corrections that leave the final value alone", () => {
    let corrected = 0;
    for (const form of forms(0, 10)) {
      for (const correction of form.corrections) {
        corrected++;
        const row = form.votes.find((r) => r.number === correction.number);
        expect(row?.mark).toBe("digits");
        expect(correction.struckDigits).not.toBe(row?.digits);
      }
    }
    expect(corrected).toBeGreaterThan(0);
  });

  it("uses every zero convention across documents", () => {
    const marks = new Set<string>();
    for (const form of forms(0, 10))
      for (const row of form.votes) if (row.value === 0 || row.value === null) marks.add(`${row.mark}:${row.words ?? ""}`);
    expect(marks.has("blank:")).toBe(true);
    expect([...marks].some((m) => m.startsWith("dash:"))).toBe(true);
    expect([...marks].some((m) => m.startsWith("digits:ศ"))).toBe(true);
  });
});
