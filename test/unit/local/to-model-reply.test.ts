import { describe, expect, it } from "vitest";
import { digitsCell as read, unsureCell } from "../../support/local-fixtures.js";
import { decideLocal } from "../../../src/local/decide.js";
import type { CellKey } from "../../../src/local/layout/page-layout.js";
import type { LocalDocumentRead } from "../../../src/local/local-read.js";
import type { LocalCellRead } from "../../../src/local/recognize/read-cell.js";
import { toModelReply, UNSURE_DIGITS } from "../../../src/local/to-model-reply.js";

describe("toModelReply", () => {
  const cells = new Map<CellKey, LocalCellRead>([
    ["row:1", read(40, 0.99)],
    ["good", read(40, 0.6)],
    ["ballotsReceived", read(41, 0.99)],
    ["envelopes", unsureCell("12 marks")],
    ["ballotsInEnvelopes", read(41, 0.7)],
  ]);
  const document: LocalDocumentRead = { kind: "constituency", pages: [], cells };
  const decision = decideLocal(document);

  it("marks a doubted cell the verdict needs as unreadable, so the checks cannot pass on a guess", () => {
    const reply = toModelReply(document, decision);
    expect(reply.totals.good).toEqual({ digits: UNSURE_DIGITS, words: null });
    expect(reply.totals.ballotsReceived).toEqual({ digits: "41", words: null });
    expect(reply.rows[0]).toEqual({ number: 1, digits: "40", words: null });
  });

  it("leaves extra cells unread unless read with confidence, instead of flagging them", () => {
    const reply = toModelReply(document, decision);
    expect(reply.totals.envelopes).toBeNull();
    expect(reply.totals.ballotsInEnvelopes).toBeNull();
    const sure = new Map(cells).set("ballotsInEnvelopes", read(41, 0.97));
    const sureDocument = { ...document, cells: sure };
    expect(toModelReply(sureDocument, decideLocal(sureDocument)).totals.ballotsInEnvelopes).toEqual({ digits: "41", words: null });
  });
});
