import { describe, expect, it } from "vitest";
import type { ReferenceLookup } from "../../../src/verify/reference-lookup.js";
import { constituencyTruth, documentFor, partyListTruth, preparedPagesFor } from "../../support/hand-made-forms.js";
import { modelReplyFromTruth } from "../../support/model-reply-from-truth.js";
import { assembleForm, firstInteger, parseFormCode } from "../../../src/extract/assemble.js";
import type { ModelReply } from "../../../src/extract/model-reply.js";

const constituency = constituencyTruth();
const party = partyListTruth();

const reference: ReferenceLookup = {
  findProvince: (name) => (name.includes("แพร่") ? { name: "แพร่", provinceId: "PRE", confident: true } : null),
  constituencyExists: () => true,
  candidateCount: () => 4,
  stationCount: () => 100,
  partyCount: () => 57,
};

describe("header parsing", () => {
  it("reads form codes and integers written with Thai digits", () => {
    expect(parseFormCode("ส.ส. ๕/๑๘")).toBe("5/18");
    expect(parseFormCode("ส.ส.5/17 (บช)")).toBe("5/17");
    expect(parseFormCode("แบบ ส.ส. 6/1")).toBeNull();
    expect(firstInteger("เขตเลือกตั้งที่ ๓")).toBe(3);
    expect(firstInteger("หน่วย 12")).toBe(12);
    expect(firstInteger("-")).toBeNull();
  });
});

describe("assembleForm", () => {
  it("uses the reference to name the province and drop unused blank candidate rows", () => {
    const reply = modelReplyFromTruth(constituency);
    const withBlankRows: ModelReply = {
      ...reply,
      header: { ...reply.header, province: "จังหวัดแพร่" },
      rows: [...reply.rows, { number: 5, digits: null, words: null }, { number: 6, digits: null, words: null }],
    };
    const result = assembleForm({
      doc: documentFor(constituency),
      pages: preparedPagesFor("constituency"),
      replies: [{ pages: [1], reply: withBlankRows }],
      reference,
    });
    expect(result.location.province).toBe("แพร่");
    expect(result.location.provinceId).toBe("PRE");
    expect(result.votes.map((row) => row.number)).toEqual([1, 2, 3, 4]);
  });

  it("normalises a province read with its prefix without a reference", () => {
    const reply = modelReplyFromTruth(constituency);
    const result = assembleForm({
      doc: documentFor(constituency),
      pages: preparedPagesFor("constituency"),
      replies: [{ pages: [1], reply: { ...reply, header: { ...reply.header, province: "จ.แพร่" } } }],
    });
    expect(result.location.province).toBe("แพร่");
  });

  it("flags a row read twice with different values and keeps the first", () => {
    const page1 = modelReplyFromTruth(party, { page: 1 });
    const page2 = modelReplyFromTruth(party, { page: 2 });
    const stray = { ...page2, rows: [...page2.rows, { number: 3, digits: "999", words: "เก้าร้อยเก้าสิบเก้า" }] };
    const page3 = modelReplyFromTruth(party, { page: 3 });
    const result = assembleForm({
      doc: documentFor(party),
      pages: preparedPagesFor("party_list"),
      replies: [
        { pages: [1], reply: page1 },
        { pages: [2], reply: stray },
        { pages: [3], reply: page3 },
      ],
    });
    expect(result.status).toBe("needs_review");
    expect(result.checks.find((check) => check.rule === "conflicting-reads")?.rows).toEqual([3]);
    expect(result.votes.find((row) => row.number === 3)?.digits).toBe(party.votes[2]?.digits);
    expect(result.votes.find((row) => row.number === 12)?.page).toBe(2);
  });

  it("accepts the digits' value, never the words', and lets the checks flag the disagreement", () => {
    const reply = modelReplyFromTruth(constituency);
    const rows = reply.rows.map((row) => (row.number === 1 ? { ...row, digits: "?" } : row));
    const result = assembleForm({
      doc: documentFor(constituency),
      pages: preparedPagesFor("constituency"),
      replies: [{ pages: [1], reply: { ...reply, rows } }],
    });
    const row1 = result.votes.find((row) => row.number === 1);
    expect(row1).toMatchObject({ mark: "illegible", value: null, words: "หนึ่งร้อยยี่สิบคะแนน" });
    expect(result.status).toBe("needs_review");
  });

  it("takes the value from the words only where no digits were written, and says so", () => {
    const reply = modelReplyFromTruth(constituency);
    const rows = reply.rows.map((row) => (row.number === 4 ? { ...row, digits: null } : row));
    const result = assembleForm({
      doc: documentFor(constituency),
      pages: preparedPagesFor("constituency"),
      replies: [{ pages: [1], reply: { ...reply, rows } }],
    });
    expect(result.votes.find((row) => row.number === 4)).toMatchObject({ value: 7, digits: null });
    expect(result.checks.find((check) => check.rule === "words-only")?.rows).toEqual([4]);
  });
});
