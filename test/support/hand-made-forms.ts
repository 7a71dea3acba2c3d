import { createHash } from "node:crypto";
import type { FormCode, FormKind } from "../../src/forms/form-kind.js";
import { type FormResult, type NumberCell, type Totals, type VoteRow, emptyTotals } from "../../src/forms/form-result.js";
import { EMPTY_PATH_METADATA, type PathMetadata } from "../../src/forms/path-metadata.js";
import { formatThaiNumber } from "../../src/forms/thai-number-format.js";
import type { DiscoveredDocument, PreparedPage } from "../../src/ingest/types.js";
import { formResult } from "./form-result.js";

/**
 * Small, consistent forms written out by hand for tests of extraction and the fake server:
 * a 5/18 constituency form with four candidates and a 5/17 party-list form with 57 parties.
 */
export function sha256Of(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export function writtenCell(value: number, suffix = ""): NumberCell {
  return {
    digits: value >= 1000 ? value.toLocaleString("en-US") : String(value),
    words: `${formatThaiNumber(value)}${suffix}`,
    value,
    mark: "digits",
  };
}

const DASH: NumberCell = { digits: "-", words: "-", value: 0, mark: "dash" };
const BLANK: NumberCell = { digits: null, words: null, value: null, mark: "blank" };

function row(number: number, cell: NumberCell, page: number): VoteRow {
  return { ...cell, number, page };
}

function baseResult(id: string, formCode: FormCode, formKind: FormKind, totals: Totals, votes: VoteRow[], pageCount: number): FormResult {
  return formResult({
    id,
    pages: Array.from({ length: pageCount }, (_, i) => ({
      index: i + 1,
      role: i + 1 === pageCount ? "signatures" : "counts",
      sent: i + 1 !== pageCount,
    })),
    formCode,
    formKind,
    location: {
      province: "แพร่",
      provinceId: null,
      constituency: 1,
      district: formCode === "5/18" ? "เมืองแพร่" : null,
      subdistrict: formCode === "5/18" ? "ในเวียง" : null,
      unit: formCode === "5/18" ? 3 : null,
      setNumber: formCode === "5/18" ? null : 2,
      countingPlace: "โดมอเนกประสงค์วิทยาลัยเทคนิคแพร่",
    },
    totals,
    votes,
  });
}

/** 5/18 constituency form: rows 120 + 85 + dash + 7 = 212 good ballots; 5 bad, 3 no-vote. */
export function constituencyTruth(seedText = "constituency-1"): FormResult {
  const votes = [row(1, writtenCell(120, "คะแนน"), 1), row(2, writtenCell(85), 1), row(3, DASH, 1), row(4, writtenCell(7, "ถ้วน"), 1)];
  const totals = emptyTotals();
  totals.eligibleVoters = writtenCell(500);
  totals.votersTurnedUp = writtenCell(220);
  totals.ballotsReceived = writtenCell(400, "บัตร");
  totals.ballotsUsed = writtenCell(220);
  totals.ballotsRemaining = writtenCell(180);
  totals.good = writtenCell(212, "บัตร");
  totals.bad = writtenCell(5);
  totals.noVote = writtenCell(3);
  totals.voteTotal = writtenCell(212);
  return baseResult(sha256Of(seedText), "5/18", "constituency", totals, votes, 2);
}

/** 5/17 party-list form: 57 rows on three pages, some blank or dashed, totals that add up. */
export function partyListTruth(seedText = "party-list-1", spread = 0): FormResult {
  const votes: VoteRow[] = [];
  let sum = 0;
  for (let number = 1; number <= 57; number++) {
    const page = number <= 10 ? 1 : number <= 34 ? 2 : 3;
    const value = (number * 37 + spread) % 53;
    if (number % 11 === 0) votes.push(row(number, DASH, page));
    else if (value === 0 || number % 7 === 0) votes.push(row(number, BLANK, page));
    else {
      votes.push(row(number, writtenCell(value), page));
      sum += value;
    }
  }
  const totals = emptyTotals();
  totals.envelopes = { ...writtenCell(sum + 15), words: null };
  totals.ballotsInEnvelopes = { ...writtenCell(sum + 15), words: null };
  totals.ballotsReceived = writtenCell(sum + 15);
  totals.good = writtenCell(sum);
  totals.bad = writtenCell(11);
  totals.noVote = writtenCell(4);
  totals.voteTotal = writtenCell(sum);
  return baseResult(sha256Of(seedText), "5/17", "party_list", totals, votes, 4);
}

export const NO_PATH_METADATA: PathMetadata = EMPTY_PATH_METADATA;

/** The discovered document a truth was "scanned" from. */
export function documentFor(truth: FormResult, pathMetadata: PathMetadata = NO_PATH_METADATA): DiscoveredDocument {
  return {
    id: truth.document.id,
    container: "pdf",
    sources: truth.document.sources,
    primaryPath: truth.document.sources[0]?.path ?? "/forms/unknown.pdf",
    pathMetadata,
  };
}

/** Prepared pages for a form kind: count pages carry a stand-in JPEG, the signature page is not sent. */
export function preparedPagesFor(kind: FormKind): PreparedPage[] {
  const count = kind === "constituency" ? 2 : 4;
  return Array.from({ length: count }, (_, i): PreparedPage => {
    const index = i + 1;
    const signatures = index === count;
    return {
      index,
      role: signatures ? "signatures" : "counts",
      sourceWidth: 2480,
      sourceHeight: 3509,
      sourceBytes: 900_000,
      jpeg: signatures ? null : Buffer.from(`stand-in jpeg for page ${index}`),
      width: 1131,
      height: 1600,
    };
  });
}
