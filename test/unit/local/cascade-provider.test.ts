import { describe, expect, it } from "vitest";
import type { ModelReply } from "../../../src/extract/model-reply.js";
import type { ExtractionOutcome, ExtractionRequest, Provider } from "../../../src/providers/provider.js";
import { NO_USAGE } from "../../../src/providers/provider.js";
import { digitsCell, readingRequest } from "../../support/local-fixtures.js";
import { createCascadeProvider } from "../../../src/local/cascade-provider.js";
import type { LocalDecision } from "../../../src/local/decide.js";
import type { CellKey } from "../../../src/local/layout/page-layout.js";
import type { LocalProvider } from "../../../src/local/local-provider.js";
import type { LocalDocumentRead } from "../../../src/local/local-read.js";
import type { LocalCellRead } from "../../../src/local/recognize/read-cell.js";

const request = (documentId: string, purpose: "read" | "reask" = "read"): ExtractionRequest<ModelReply> =>
  readingRequest(documentId, [Buffer.from(documentId)], purpose);

/** A local reader that verifies documents whose id starts with "ok". */
function stubLocal(): LocalProvider {
  return {
    name: "local",
    model: "local-digits-v1",
    metered: false,
    remote: null,
    async extract() {
      throw new Error("not used");
    },
    async answerLocally() {
      throw new Error("not used");
    },
    async close() {},
    async readLocally(req) {
      const cells = new Map<CellKey, LocalCellRead>([
        ["row:1", digitsCell(5)],
        ["good", digitsCell(5)],
      ]);
      const read: LocalDocumentRead = { kind: "constituency", pages: [], cells };
      const verified = req.documentId.startsWith("ok");
      const decision: LocalDecision = verified
        ? { verified, doubtedCells: [], confirmedBySums: [], neededCells: ["row:1", "good"], confidentExtras: [], reasons: [] }
        : {
            verified,
            doubtedCells: ["good"],
            confirmedBySums: [],
            neededCells: ["row:1", "good"],
            confidentExtras: [],
            reasons: ["good not read with confidence"],
          };
      return { read, decision };
    },
  };
}

function countingRemote(): Provider & { calls: string[] } {
  const calls: string[] = [];
  return {
    name: "fake",
    model: "fake-vision",
    metered: true,
    calls,
    async extract<T>(req: ExtractionRequest<T>): Promise<ExtractionOutcome<T>> {
      calls.push(req.documentId);
      return { kind: "invalid_output", message: "fake", usage: NO_USAGE };
    },
  };
}

describe("cascade provider", () => {
  it("answers verified documents locally and sends only the rest to the remote model", async () => {
    const remote = countingRemote();
    const cascade = createCascadeProvider(stubLocal(), remote);
    const signal = new AbortController().signal;
    const ids = ["ok-1", "doubt-1", "ok-2", "ok-3", "doubt-2"];
    const outcomes = await Promise.all(ids.map((id) => cascade.extract(request(id), { signal })));
    expect(remote.calls.sort()).toEqual(["doubt-1", "doubt-2"]);
    expect(outcomes.filter((o) => o.kind === "ok")).toHaveLength(3);
    expect(cascade.stats()).toEqual({ local: 3, remote: 2 });
  });

  it("without a remote model returns the local reply with doubted cells as '?'", async () => {
    const cascade = createCascadeProvider(stubLocal(), null);
    expect(cascade.metered).toBe(false);
    const outcome = await cascade.extract(request("doubt-1"), { signal: new AbortController().signal });
    expect(outcome.kind).toBe("ok");
    if (outcome.kind !== "ok") return;
    expect(outcome.reply.totals.good).toEqual({ digits: "?", words: null });
    expect(outcome.reply.rows).toContainEqual({ number: 1, digits: "5", words: null });
  });

  it("sends re-asks to the remote model", async () => {
    const remote = countingRemote();
    const cascade = createCascadeProvider(stubLocal(), remote);
    await cascade.extract(request("ok-1", "reask"), { signal: new AbortController().signal });
    expect(remote.calls).toEqual(["ok-1"]);
  });
});
