import { describe, expect, it } from "vitest";
import { buildForm, type CellStyle, type FormShape } from "../../fixtures/consistent-forms.js";
import type { Check, FormResult, NumberCell, TotalKey } from "../../../src/forms/form-result.js";
import { checkForm } from "../../../src/verify/check-form.js";
import { MAX_BALLOTS_PER_UNIT } from "../../../src/verify/plausibility.js";
import type { ProvinceMatch, ReferenceLookup } from "../../../src/verify/reference-lookup.js";

const PLAIN: CellStyle = { script: "arabic", suffix: "", zero: "dash", withWords: true };
const DIGITS_ONLY: CellStyle = { ...PLAIN, withWords: false };

const SHAPE: FormShape = {
  kind: "constituency",
  code: "5/18",
  candidates: 6,
  votes: [108, 54, 15, 424, 8, 5],
  bad: 7,
  noVote: 36,
  remaining: 40,
  absent: 200,
  withVoteTotal: true,
};

function form(shape: Partial<FormShape> = {}, style: CellStyle = PLAIN): FormResult {
  return buildForm({ ...SHAPE, ...shape }, [style]);
}

function withRow(result: FormResult, number: number, change: Partial<NumberCell>): FormResult {
  return { ...result, votes: result.votes.map((row) => (row.number === number ? { ...row, ...change } : row)) };
}

function withTotal(result: FormResult, key: TotalKey, cell: NumberCell | null): FormResult {
  return { ...result, totals: { ...result.totals, [key]: cell } };
}

const cell = (value: number, words: string | null = null): NumberCell => ({
  digits: String(value),
  words,
  value,
  mark: "digits",
});

function failing(checks: readonly Check[], rule: string): Check[] {
  return checks.filter((c) => c.rule === rule && !c.ok);
}

function only(checks: readonly Check[], rule: string): Check {
  const found = failing(checks, rule);
  expect(
    found,
    `${rule} in ${JSON.stringify(
      checks.filter((c) => !c.ok),
      null,
      1,
    )}`,
  ).toHaveLength(1);
  return found[0] as Check;
}

describe("checkForm on consistent forms", () => {
  it.each([
    ["constituency", "5/18"],
    ["constituency", "5/17"],
    ["constituency", "5/16"],
    ["party_list", "5/18"],
    ["party_list", "5/17"],
    ["party_list", "5/16"],
  ] as const)("verifies a %s %s form", (kind, code) => {
    const votes = kind === "party_list" ? Array.from({ length: 57 }, (_, i) => (i * 7) % 23) : SHAPE.votes;
    const outcome = checkForm(form({ kind, code, votes }));
    expect(outcome.reasons).toEqual([]);
    expect(outcome.status).toBe("verified");
    expect(outcome.checks.every((c) => c.ok || c.severity !== "error")).toBe(true);
  });

  it("does not change the form it checks", () => {
    const result = form();
    const copy = structuredClone(result);
    checkForm(result);
    expect(result).toEqual(copy);
  });

  it("notes cells without words as info only", () => {
    const outcome = checkForm(form({}, DIGITS_ONLY));
    expect(outcome.status).toBe("verified");
    const note = outcome.checks.find((c) => c.rule === "words-missing");
    expect(note).toMatchObject({ ok: true, severity: "info" });
    expect(note?.rows).toContain(1);
  });
});

describe("per-cell rules", () => {
  it("flags digits that disagree with their words, naming both", () => {
    const result = withRow(form(), 2, { digits: "64", value: 64 });
    const outcome = checkForm(result);
    expect(outcome.status).toBe("needs_review");
    const check = only(outcome.checks, "digits-words");
    expect(check).toMatchObject({ severity: "error", rows: [2] });
    expect(check.detail).toContain("64");
    expect(check.detail).toContain("ห้าสิบสี่");
  });

  it("accepts words with suffixes, Thai digits and grouped thousands", () => {
    const result = withTotal(withRow(form(), 4, { digits: "๔๒๔", words: "สี่ร้อยยี่สิบสี่บัตรถ้วน" }), "eligibleVoters", {
      digits: "1,057",
      words: "หนึ่งพันห้าสิบเจ็ด",
      value: 1057,
      mark: "digits",
    });
    expect(checkForm(result).status).toBe("verified");
  });

  it("treats an illegible vote cell as unknown, not zero", () => {
    const result = withRow(form(), 3, { digits: null, words: null, value: null, mark: "illegible" });
    const outcome = checkForm(result);
    expect(outcome.status).toBe("needs_review");
    expect(only(outcome.checks, "cell-legible")).toMatchObject({ severity: "error", rows: [3] });
    expect(only(outcome.checks, "votes-sum-good")).toMatchObject({ severity: "warning" });
  });

  it("flags digits that are not a number", () => {
    const outcome = checkForm(withRow(form(), 1, { digits: "1O8", value: 108 }));
    expect(only(outcome.checks, "digits-parse")).toMatchObject({ severity: "error", rows: [1] });
  });

  it("flags a value that does not match its digits, unless a person edited it", () => {
    const wrong = withRow(form(), 1, { value: 109 });
    expect(only(checkForm(wrong).checks, "digits-parse").detail).toContain("109");
    const edited = withRow(wrong, 1, { words: null, edit: { by: "reviewer", at: "2026-02-09", previousValue: 108 } });
    expect(failing(checkForm(edited).checks, "digits-parse")).toEqual([]);
  });

  it("flags values that are not non-negative integers", () => {
    const outcome = checkForm(withRow(form(), 5, { digits: null, words: null, value: -8 }));
    expect(only(outcome.checks, "cell-value")).toMatchObject({ severity: "error", rows: [5] });
  });

  it("warns about words it cannot read without failing the form", () => {
    const outcome = checkForm(withRow(form(), 5, { words: "หม่าชอ" }));
    expect(only(outcome.checks, "words-parse")).toMatchObject({ severity: "warning" });
    expect(outcome.status).toBe("verified");
  });
});

describe("sum rules", () => {
  it("checks the votes against good ballots, naming the numbers", () => {
    const outcome = checkForm(withTotal(form(), "good", cell(624)));
    const check = only(outcome.checks, "votes-sum-good");
    expect(check.detail).toContain("614");
    expect(check.detail).toContain("624");
    expect(check.detail).toContain("-10");
  });

  it("checks the vote total line against the votes and good ballots", () => {
    const outcome = checkForm(withTotal(form(), "voteTotal", cell(624)));
    expect(only(outcome.checks, "vote-total-sum")).toMatchObject({ severity: "error", totals: ["voteTotal"] });
    expect(only(outcome.checks, "vote-total-good")).toMatchObject({ severity: "error" });
    expect(failing(outcome.checks, "votes-sum-good")).toEqual([]);
  });

  it("checks good + bad + no-vote against ballots used", () => {
    const outcome = checkForm(withTotal(form(), "ballotsUsed", cell(667)));
    expect(only(outcome.checks, "ballots-sum").detail).toContain("657");
  });

  it("uses ballots received as item 1 on 5/16 and 5/17 forms", () => {
    for (const code of ["5/16", "5/17"] as const) {
      const good = form({ code });
      expect(good.totals.ballotsUsed).toBeNull();
      expect(checkForm(good).checks.find((c) => c.rule === "ballots-sum")?.ok).toBe(true);
      const outcome = checkForm(withTotal(good, "ballotsReceived", cell(650)));
      expect(only(outcome.checks, "ballots-sum").detail).toContain("ballots received");
    }
  });

  it("says when ballots used cannot be checked", () => {
    const outcome = checkForm({ ...form(), formCode: null, totals: { ...form().totals, ballotsUsed: null } });
    expect(only(outcome.checks, "ballots-used-present")).toMatchObject({ severity: "warning" });
  });

  it("requires good ballots", () => {
    const outcome = checkForm(withTotal(form(), "good", null));
    expect(only(outcome.checks, "good-present")).toMatchObject({ severity: "error" });
    expect(outcome.status).toBe("needs_review");
  });

  it("checks ballots used ≤ received and the 5/18 balance", () => {
    const outcome = checkForm(withTotal(form(), "ballotsReceived", cell(600)));
    expect(only(outcome.checks, "ballots-used-within-received").detail).toMatch(/657.*600/);
    expect(only(outcome.checks, "ballots-received-balance")).toMatchObject({ severity: "error" });
  });

  it("only warns when voters who came differ from ballots used", () => {
    const outcome = checkForm(withTotal(form({}, DIGITS_ONLY), "votersTurnedUp", cell(659)));
    expect(only(outcome.checks, "turnout-matches-ballots-used")).toMatchObject({ severity: "warning" });
    expect(outcome.status).toBe("verified");
  });
});

describe("row completeness", () => {
  const partyList = () => form({ kind: "party_list", votes: Array.from({ length: 57 }, () => 1) });

  it("lists missing, repeated and out-of-range parties", () => {
    const base = partyList();
    const rows = base.votes.filter((row) => row.number !== 13).map((row) => (row.number === 14 ? { ...row, number: 5 } : row));
    const result = { ...base, votes: [...rows, { ...cell(0), mark: "dash" as const, digits: "-", number: 58 }] };
    const check = only(checkForm(result).checks, "party-list-complete");
    expect(check.detail).toMatch(/missing parties 13, 14/);
    expect(check.detail).toMatch(/more than once 5/);
    expect(check.detail).toMatch(/beyond 1..57: 58/);
    expect(check.rows).toEqual([13, 14, 5, 58]);
  });

  it("flags repeated and out-of-range candidate rows", () => {
    const base = form();
    const result = { ...base, votes: [...base.votes, { ...cell(0), number: 11 }, { ...cell(0), number: 3 }] };
    const check = only(checkForm(result).checks, "candidate-rows");
    expect(check.rows).toEqual([3, 11]);
  });
});

describe("plausibility", () => {
  it("warns about a unit with more ballots than a unit can have", () => {
    const outcome = checkForm(form({ votes: [3000, 54, 15, 424, 8, 5] }));
    const check = only(outcome.checks, "ballots-plausible");
    expect(check.severity).toBe("warning");
    expect(check.detail).toContain(String(MAX_BALLOTS_PER_UNIT));
    expect(outcome.status).toBe("verified");
  });

  it("warns about a row with more votes than good ballots", () => {
    const outcome = checkForm(withRow(form({}, DIGITS_ONLY), 4, { digits: "924", value: 924 }));
    expect(only(outcome.checks, "row-within-good")).toMatchObject({ severity: "warning", rows: [4] });
  });
});

describe("reference checks", () => {
  const phrae: ProvinceMatch = { name: "แพร่", provinceId: "PRE", confident: true };
  const reference = (overrides: Partial<ReferenceLookup> = {}): ReferenceLookup => ({
    findProvince: (name) => (name === "แพร่" ? phrae : name === "แพ" ? { ...phrae, confident: false } : null),
    constituencyExists: (id, n) => id === "PRE" && (n === 1 || n === 2),
    candidateCount: () => 6,
    stationCount: () => 300,
    partyCount: () => 57,
    ...overrides,
  });

  it("passes a form that matches the reference", () => {
    const outcome = checkForm(form(), reference());
    expect(outcome.status).toBe("verified");
    expect(outcome.checks.find((c) => c.rule === "reference-province")?.ok).toBe(true);
  });

  it("rejects an unknown province and warns about a loose match", () => {
    const unknown = { ...form(), location: { ...form().location, province: "ลอนดอน" } };
    expect(only(checkForm(unknown, reference()).checks, "reference-province")).toMatchObject({ severity: "error" });
    const loose = { ...form(), location: { ...form().location, province: "แพ" } };
    expect(only(checkForm(loose, reference()).checks, "reference-province")).toMatchObject({ severity: "warning" });
  });

  it("rejects a constituency the province does not have", () => {
    const result = { ...form(), location: { ...form().location, constituency: 3 } };
    expect(only(checkForm(result, reference()).checks, "reference-constituency").detail).toContain("3");
  });

  it("requires rows beyond the candidates to be blank or a dash", () => {
    const ok = checkForm(form(), reference({ candidateCount: () => 6 }));
    expect(failing(ok.checks, "reference-candidate-rows")).toEqual([]);
    const tooFew = checkForm(form(), reference({ candidateCount: () => 5 }));
    expect(only(tooFew.checks, "reference-candidate-rows")).toMatchObject({ severity: "error", rows: [6] });
  });

  it("checks party numbers against the reference's party count", () => {
    const result = form({ kind: "party_list", votes: Array.from({ length: 57 }, () => 1) });
    const outcome = checkForm(result, reference({ partyCount: () => 56 }));
    expect(only(outcome.checks, "party-list-complete").detail).toContain("57");
  });

  it("without reference data, warns when the province is not one of the 77", () => {
    const result = { ...form(), location: { ...form().location, province: "ลอนดอน" } };
    expect(only(checkForm(result).checks, "province-known")).toMatchObject({ severity: "warning" });
  });
});

describe("locating the error", () => {
  it("names the row whose digits disagree with its words first", () => {
    const result = withRow(form(), 4, { digits: "434", value: 434 });
    const outcome = checkForm(result);
    const sum = only(outcome.checks, "votes-sum-good");
    expect(sum.rows?.[0]).toBe(4);
    expect(sum.detail).toContain("row 4");
  });

  it("without words, names the rows where one changed digit closes the gap", () => {
    // Votes 108, 54, 15, 424, 8, 5 with good = 614; row 2 misread as 84: the sum is off by +30.
    const result = withRow(form({}, DIGITS_ONLY), 2, { digits: "84", value: 84 });
    const sum = only(checkForm(result).checks, "votes-sum-good");
    // Rows whose tens digit can drop by 3: 54→24 (row 2), 424→394? no (borrow), 15→-15 no.
    expect(sum.rows).toEqual([2]);
    expect(sum.detail).toContain("+30");
  });

  it("points at a total when the pattern of failing sums says so", () => {
    const result = withTotal(form({}, DIGITS_ONLY), "good", cell(644));
    const check = only(checkForm(result).checks, "votes-sum-good");
    expect(check.totals?.[0]).toBe("good");
  });

  it("lists no arithmetic suspects when the gap is not one digit", () => {
    const result = withTotal(form({}, DIGITS_ONLY), "good", cell(637));
    const check = only(checkForm(result).checks, "votes-sum-good");
    expect(check.rows).toBeUndefined();
  });
});
