import { describe, expect, it } from "vitest";
import type { CellId, Witness } from "../../../src/forms/evidence.js";
import type { FormResult } from "../../../src/forms/form-result.js";
import { checkForm } from "../../../src/verify/check-form.js";
import { applyVerdict, decideCells, recordWitnesses } from "../../../src/verify/verdict.js";
import { constituencyTruth, partyListTruth } from "../../support/hand-made-forms.js";

/** The truth as the checks see it: checked, every cell read by the model "m". */
function checked(form: FormResult): FormResult {
  const outcome = checkForm(form);
  return { ...form, checks: outcome.checks, status: outcome.status, reasons: outcome.reasons };
}

const local = (value: number | null, confidence = 0.99, alternatives: number[] = []): Witness => ({
  kind: "local",
  source: "local-digits-v1",
  digits: value === null ? null : String(value),
  words: null,
  value,
  confidence,
  alternatives,
});

/** Local witnesses for every needed cell of the 5/18 truth, as read correctly, with overrides. */
function localReadings(form: FormResult, overrides: Partial<Record<CellId, Witness>> = {}): Map<CellId, Witness[]> {
  const byCell = new Map<CellId, Witness[]>();
  for (const row of form.votes)
    byCell.set(`row:${row.number}`, [overrides[`row:${row.number}`] ?? local(row.mark === "dash" ? 0 : row.value)]);
  for (const key of ["good", "bad", "noVote", "voteTotal", "ballotsUsed", "ballotsReceived", "ballotsRemaining"] as const) {
    byCell.set(key, [overrides[key] ?? local(form.totals[key]?.value ?? null)]);
  }
  return byCell;
}

describe("the verdict rule", () => {
  it("a consistent model reading alone is single: needs review with the reason 'single witness'", () => {
    const form = recordWitnesses(checked(constituencyTruth()), new Map(), "fake:m");
    const verdict = decideCells(form);
    expect(verdict.cells.every((c) => c.verdict === "single")).toBe(true);
    expect(verdict.status).toBe("needs_review");
    expect(verdict.reasons).toEqual(["single witness"]);
  });

  it("--accept-single-witness verifies it with assurance 'checks'", () => {
    const decided = applyVerdict(recordWitnesses(checked(constituencyTruth()), new Map(), "fake:m"), { acceptSingleWitness: true });
    expect(decided.status).toBe("verified");
    expect(decided.assurance).toBe("checks");
  });

  it("the local reader agreeing on every needed cell verifies with assurance 'witnesses'", () => {
    const truth = checked(constituencyTruth());
    const decided = applyVerdict(recordWitnesses(truth, localReadings(truth), "fake:m"));
    expect(decided.status).toBe("verified");
    expect(decided.assurance).toBe("witnesses");
    expect(decided.votes.every((row) => row.verdict === "agreed")).toBe(true);
    expect(decided.totals.good?.verdict).toBe("agreed");
    // Extras carry witnesses but no verdict: nothing rests on them.
    expect(decided.totals.eligibleVoters?.verdict).toBeUndefined();
  });

  it("a confident local reading that differs disputes the cell, and the form is never verified", () => {
    const truth = checked(constituencyTruth());
    const decided = applyVerdict(recordWitnesses(truth, localReadings(truth, { "row:2": local(86) }), "fake:m"), {
      acceptSingleWitness: true,
    });
    expect(decided.votes[1]?.verdict).toBe("disputed");
    expect(decided.status).toBe("needs_review");
    expect(decided.reasons.some((r) => r.startsWith("witness-agreement: row 2"))).toBe(true);
  });

  it("a weak different local reading is pinned when the sums admit only the model's value", () => {
    const truth = checked(constituencyTruth());
    const decided = applyVerdict(recordWitnesses(truth, localReadings(truth, { "row:2": local(86, 0.8) }), "fake:m"));
    expect(decided.votes[1]?.verdict).toBe("pinned");
    expect(decided.status).toBe("verified");
  });

  it("weak readings the sums cannot tell apart stay disputed", () => {
    const truth = checked(constituencyTruth());
    // 120/85 read weakly as 85/120: both assignments add up.
    const decided = applyVerdict(
      recordWitnesses(truth, localReadings(truth, { "row:1": local(85, 0.8), "row:2": local(120, 0.8) }), "fake:m"),
    );
    expect(decided.votes[0]?.verdict).toBe("disputed");
    expect(decided.status).toBe("needs_review");
  });

  it("a local reading that enumerates its doubts is pinned on its own when the sums exclude them", () => {
    const truth = checked(constituencyTruth());
    const onlyLocal = new Map([...localReadings(truth, { "row:4": local(7, 0.8, [1]) })].map(([id, ws]) => [id, ws] as const));
    // The local reader as the only witness (its own verdict): the reading is the cells' own.
    const form = recordWitnesses(truth, onlyLocal, "local");
    const stripped: FormResult = {
      ...form,
      votes: form.votes.map((row) => ({ ...row, witnesses: row.witnesses?.filter((w) => w.kind === "local") })),
      totals: Object.fromEntries(
        Object.entries(form.totals).map(([k, c]) => [k, c && { ...c, witnesses: c.witnesses?.filter((w) => w.kind === "local") }]),
      ) as FormResult["totals"],
    };
    const verdict = decideCells(stripped);
    expect(verdict.cells.every((c) => c.verdict === "pinned")).toBe(true);
    expect(verdict.status).toBe("verified");
  });

  it("a cell the witness could not read is pinned when a holding sum leaves it the only unsettled term", () => {
    const truth = checked(constituencyTruth());
    const decided = applyVerdict(recordWitnesses(truth, localReadings(truth, { "row:2": local(null, 0) }), "fake:m"));
    expect(decided.votes[1]?.verdict).toBe("pinned");
    expect(decided.status).toBe("verified");
    expect(decided.assurance).toBe("witnesses");
  });

  it("two unread cells of one sum stay single: a recount that moved both is never pinned", () => {
    const truth = checked(constituencyTruth());
    // The model "recounted" row 2 (85 → 95) and good (212 → 222); the witness read neither.
    const votes = truth.votes.map((row) => (row.number === 2 ? { ...row, digits: "95", words: null, value: 95 } : row));
    const totals = {
      ...truth.totals,
      good: { ...truth.totals.good!, digits: "222", words: null, value: 222 },
      voteTotal: { ...truth.totals.voteTotal!, digits: "222", words: null, value: 222 },
    };
    const recounted = checked({ ...truth, votes, totals });
    const byCell = localReadings(truth, {
      "row:2": local(null, 0),
      good: local(null, 0),
      voteTotal: local(null, 0),
      ballotsUsed: local(230),
      ballotsRemaining: local(170),
    });
    const decided = applyVerdict(recordWitnesses(recounted, byCell, "fake:m"));
    expect(decided.status).toBe("needs_review");
    expect(decided.votes[1]?.verdict).toBe("single");
  });

  it("a person's reading settles a cell, and the verdict runs again cleanly", () => {
    const truth = checked(constituencyTruth());
    const disputed = applyVerdict(recordWitnesses(truth, localReadings(truth, { "row:2": local(86) }), "fake:m"));
    const person: Witness = { kind: "person", source: "reviewer", digits: "85", words: null, value: 85, at: "2026-02-09T10:00:00Z" };
    const settled = applyVerdict(recordWitnesses(disputed, new Map([["row:2", [person]]]), "fake:m"));
    expect(settled.votes[1]?.verdict).toBe("agreed");
    expect(settled.status).toBe("verified");
    expect(settled.reasons).toEqual([]);
    expect(settled.checks.filter((c) => c.rule === "witness-agreement")).toHaveLength(1);
  });

  it("a row-alignment finding blocks verification", () => {
    const truth = checked(constituencyTruth());
    const form = {
      ...recordWitnesses(truth, localReadings(truth), "fake:m"),
      alignment: [{ kind: "rows_swapped" as const, rows: [1, 2], offset: 1, witness: "local", detail: "rows 1 and 2 exchanged" }],
    };
    const decided = decideCells(form);
    expect(decided.status).toBe("needs_review");
    expect(decided.reasons).toContain("row-alignment: rows 1 and 2 exchanged");
  });
});

describe("stored results", () => {
  it("a result written before witnesses existed still loads, and so does one with evidence", async () => {
    const { FormResultSchema } = await import("../../../src/forms/form-result.js");
    const old = JSON.parse(JSON.stringify(constituencyTruth()));
    expect(FormResultSchema.safeParse(old).success).toBe(true);
    const truth = checked(constituencyTruth());
    const decided = applyVerdict(recordWitnesses(truth, localReadings(truth), "fake:m"));
    expect(FormResultSchema.parse(JSON.parse(JSON.stringify(decided)))).toEqual(decided);
  });
});

describe("row alignment against the local reader", () => {
  /** The party-list truth as read by a model that put some rows' values on other rows. */
  function misplaced(moves: Record<number, number>): FormResult {
    const truth = checked(partyListTruth());
    const byCell = new Map<CellId, Witness[]>(
      truth.votes.map((row) => [`row:${row.number}`, [local(row.mark === "digits" ? row.value : 0)]]),
    );
    const value = (n: number) => truth.votes.find((r) => r.number === n)?.value ?? 0;
    const votes = truth.votes.map((row) => {
      const from = moves[row.number];
      return from === undefined ? row : { ...row, digits: String(value(from)), words: null, value: value(from) };
    });
    return applyVerdict(recordWitnesses({ ...truth, votes }, byCell, "fake:m"), { acceptSingleWitness: true });
  }

  it("names a shift by +1 over rows 3-5, the values rotated so that every sum still holds", () => {
    const decided = misplaced({ 3: 4, 4: 5, 5: 3 });
    expect(decided.alignment).toEqual([expect.objectContaining({ kind: "row_shift", rows: [3, 4, 5], offset: 1, witness: "local" })]);
    expect(decided.status).toBe("needs_review");
    expect(decided.checks.find((c) => c.rule === "row-alignment")?.rows).toEqual([3, 4, 5]);
  });

  it("names a shift by -2", () => {
    const decided = misplaced({ 3: 1, 4: 2, 5: 3, 1: 4, 2: 5 });
    expect(decided.alignment?.[0]).toMatchObject({ kind: "row_shift", offset: -2, rows: [1, 2, 3, 4, 5] });
  });

  it("a shift the witness read only weakly is never verified, not even accepting single witnesses", () => {
    const truth = checked(partyListTruth());
    const byCell = new Map<CellId, Witness[]>(
      truth.votes.map((row) => [`row:${row.number}`, [local(row.mark === "digits" ? row.value : 0)]]),
    );
    // Written 5, 42, 26 on rows 3-5; the model read 42, 26, 5. The witness: 5 weakly, nothing, 26 weakly.
    byCell.set("row:3", [local(5, 0.75)]);
    byCell.set("row:4", [local(null, 0)]);
    byCell.set("row:5", [local(26, 0.8)]);
    const value = (n: number) => truth.votes.find((r) => r.number === n)?.value ?? 0;
    const moves: Record<number, number> = { 3: 4, 4: 5, 5: 3 };
    const votes = truth.votes.map((row) =>
      moves[row.number] ? { ...row, digits: String(value(moves[row.number]!)), words: null, value: value(moves[row.number]!) } : row,
    );
    const decided = applyVerdict(recordWitnesses({ ...truth, votes }, byCell, "fake:m"), { acceptSingleWitness: true });
    expect(decided.status).toBe("needs_review");
    expect(decided.votes.slice(2, 5).map((r) => r.verdict)).not.toContain("pinned");
  });

  it("names two exchanged rows", () => {
    const decided = misplaced({ 2: 9, 9: 2 });
    expect(decided.alignment).toEqual([expect.objectContaining({ kind: "rows_swapped", rows: [2, 9], offset: 7 })]);
    expect(decided.status).toBe("needs_review");
  });

  it("finds nothing on a clean reading", () => {
    expect(misplaced({}).alignment).toBeUndefined();
    expect(misplaced({}).status).toBe("verified");
  });
});
