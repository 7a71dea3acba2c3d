import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { reviewDigest } from "../../src/aggregate/review-digest.js";
import type { CellId, Witness } from "../../src/forms/evidence.js";
import type { FormResult } from "../../src/forms/form-result.js";
import { MemoryStore } from "../../src/storage/memory-store.js";
import { checkForm } from "../../src/verify/check-form.js";
import { applyVerdict, recordWitnesses } from "../../src/verify/verdict.js";
import { StoreBackend } from "../../src/web/store-backend.js";
import { makeResult, TEST_DEFAULTS } from "./helpers.js";

const SHA = "a".repeat(64);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

async function backendWith(result: FormResult): Promise<{ backend: StoreBackend; store: MemoryStore; outDir: string }> {
  const outDir = await mkdtemp(path.join(tmpdir(), "review-loop-"));
  const store = new MemoryStore();
  store.upsertDocument({ id: SHA, primaryPath: "/x/form.png", container: "image", sources: result.document.sources, pathMetadata: null });
  store.saveResult(result);
  const backend = new StoreBackend({
    store,
    outDir,
    runner: async () => ({ end: "completed", message: "" }),
    defaults: TEST_DEFAULTS,
    secrets: [],
  });
  cleanups.push(() => rm(outDir, { recursive: true, force: true }));
  return { backend, store, outDir };
}

function rechecked(result: FormResult): FormResult {
  const outcome = checkForm(result);
  return { ...result, checks: outcome.checks, status: outcome.status, reasons: outcome.reasons };
}

/** A form the offline reader left with "?" in two vote rows and in the bad-ballots line (finding 1). */
function unreadForm(): FormResult {
  const base = makeResult("/x/form.png", SHA, 1);
  const unread = { digits: "?", words: null, value: null, mark: "illegible" as const };
  const votes = base.votes.map((row) => (row.number === 1 || row.number === 3 ? { ...row, ...unread } : row));
  return rechecked({ ...base, votes, totals: { ...base.totals, bad: { ...unread } } });
}

describe("the review loop finishes", () => {
  it("re-runs the checks on the corrected values, so a form corrected from '?' can be approved (finding 1)", async () => {
    const form = unreadForm();
    expect(form.status).toBe("needs_review");
    const { backend, store } = await backendWith(form);

    const early = await backend.approve(SHA, { by: "สมชาย" });
    expect(early.kind).toBe("invalid");
    // Readable sentences, not rule ids.
    if (early.kind === "invalid") {
      expect(early.message).not.toMatch(/digits-parse|cell-legible/);
      expect(early.message).toContain("Row 1");
      expect(early.messageTh).toContain("หมายเลข 1");
    }

    for (const [field, value] of [
      ["votes.1", 300],
      ["votes.3", 70],
      ["totals.bad", 20],
    ] as const) {
      const outcome = await backend.applyEdit(SHA, { field, value, by: "สมชาย" });
      expect(outcome.kind).toBe("ok");
    }
    const corrected = await backend.getResult(SHA);
    expect(corrected?.checks.filter((c) => !c.ok && c.severity === "error")).toEqual([]);
    expect(corrected?.status).toBe("verified");

    const approved = await backend.approve(SHA, { by: "สมชาย" });
    expect(approved.kind).toBe("ok");
    if (approved.kind === "ok") expect(approved.result).toMatchObject({ status: "verified", review: { approvedBy: "สมชาย" } });
    // One audit entry per corrected cell, then the approval.
    const edits = await backend.listEdits(SHA);
    expect(edits.map((e) => e.field)).toEqual(["votes.1", "votes.3", "totals.bad", "status"]);
    expect(store.listEdits(SHA).length).toBeGreaterThanOrEqual(4);
  });

  it("approves a paper-inconsistent form only 'as written' with a note, and exports the flag", async () => {
    // The official wrote 610 good ballots while the rows add up to 570: every value is as on the paper.
    const base = makeResult("/x/form.png", SHA, 1);
    const form = rechecked({ ...base, totals: { ...base.totals, good: { digits: "610", words: null, value: 610, mark: "digits" } } });
    expect(form.status).toBe("needs_review");
    const { backend, outDir } = await backendWith(form);

    expect((await backend.approve(SHA, { by: "Ann" })).kind).toBe("invalid");
    const noNote = await backend.approve(SHA, { by: "Ann", asWritten: true, note: "  " });
    expect(noNote).toMatchObject({ kind: "invalid", message: expect.stringMatching(/needs a note/) });

    const approved = await backend.approve(SHA, { by: "Ann", asWritten: true, note: "good ballots miscounted by the station" });
    expect(approved.kind).toBe("ok");
    if (approved.kind !== "ok") return;
    expect(approved.result.status).toBe("verified");
    expect(approved.result.review).toMatchObject({ approvedBy: "Ann", asWritten: true, note: "good ballots miscounted by the station" });
    // The failing sum stays on record.
    expect(approved.result.checks.some((c) => c.rule === "votes-sum-good" && !c.ok)).toBe(true);

    await backend.writeReports(false);
    const jsonl = await readFile(path.join(outDir, "results.jsonl"), "utf8");
    expect(jsonl).toContain('"asWritten":true');
    expect(jsonl).toContain("good ballots miscounted by the station");
    const stations = (await readFile(path.join(outDir, "stations.csv"), "utf8")).split(/\r?\n/);
    const header = stations[0]!.split(",");
    const line = stations.find((l) => l.includes(SHA))!.split(",");
    expect(line[header.indexOf("approved_as_written")]).toBe("true");
    expect(line[header.indexOf("review_note")]).toBe("good ballots miscounted by the station");
  });

  it("refuses 'as written' while a cell is still unread", async () => {
    const { backend } = await backendWith(unreadForm());
    const outcome = await backend.approve(SHA, { by: "Ann", asWritten: true, note: "the paper is wrong" });
    expect(outcome).toMatchObject({ kind: "invalid", message: expect.stringContaining("could not be read") });
  });
});

describe("reasons people can read", () => {
  it("gives one sentence per doubted cell in Thai and English, with the votes at stake", () => {
    const digest = reviewDigest(unreadForm());
    expect(digest.cells.map((c) => c.field)).toEqual(["votes.1", "votes.3", "totals.bad"]);
    for (const cell of digest.cells) {
      expect(cell.sentence.th).toMatch(/[\u0E00-\u0E7F]/);
      expect(cell.sentence.en).not.toMatch(/cell-legible|digits-parse|\(\+\d+\)/);
    }
    // Rows 1 and 3 can hold at most the 570 good ballots less row 2's 200.
    expect(digest.votesAtStake).toBe(370);
    expect(digest.impactText.en).toBe("up to 370 votes unconfirmed (3 cells)");
    expect(digest.impactText.th).toContain("370");
    // The only unknown of good + bad + no-vote = used is bad: the sums propose its value.
    expect(digest.cells.find((c) => c.field === "totals.bad")?.proposed).toBe(20);
  });

  it("names the disagreement between digits and words", () => {
    const base = makeResult("/x/form.png", SHA, 1);
    const votes = base.votes.map((row) => (row.number === 2 ? { ...row, digits: "200", words: "สองร้อยสิบ", value: 200 } : row));
    const digest = reviewDigest(rechecked({ ...base, votes }));
    expect(digest.cells).toHaveLength(1);
    expect(digest.cells[0]).toMatchObject({ field: "votes.2", code: "digits_words" });
    expect(digest.cells[0]?.sentence.en).toBe("Row 2: the digits say 200 but the words say 210.");
  });
});

describe("a person's value is a witness", () => {
  it("settles a disputed cell: the person's choice makes it agreed, and the form can be approved", async () => {
    const base = makeResult("/x/form.png", SHA, 1);
    const local = (value: number) => ({
      kind: "local" as const,
      source: "local-digits-v1",
      digits: String(value),
      words: null,
      value,
      confidence: 0.97,
    });
    const witnesses = new Map<CellId, Witness[]>();
    for (const row of base.votes) witnesses.set(`row:${row.number}`, [local(row.number === 2 ? 260 : (row.value ?? 0))]);
    for (const key of ["good", "bad", "noVote", "ballotsUsed", "voteTotal", "ballotsReceived", "ballotsRemaining"] as const) {
      witnesses.set(key, [local(base.totals[key]?.value ?? 0)]);
    }
    const read = applyVerdict(recordWitnesses(base, witnesses, "fake:fake-model"));
    expect(read.status).toBe("needs_review");
    expect(read.votes[1]?.verdict).toBe("disputed");
    const digest = reviewDigest(read);
    expect(digest.cells.map((c) => [c.field, c.code])).toEqual([["votes.2", "disputed"]]);
    expect(digest.cells[0]?.sentence.en).toBe("Row 2: the readers disagree: the model read 200, the offline reader read 260.");

    const { backend } = await backendWith(read);
    expect((await backend.approve(SHA, { by: "Ann" })).kind).toBe("invalid");
    const edited = await backend.applyEdit(SHA, { field: "votes.2", value: 200, by: "Ann" });
    expect(edited.kind).toBe("ok");
    if (edited.kind !== "ok") return;
    expect(edited.result.votes[1]?.verdict).toBe("agreed");
    expect(edited.result.votes[1]?.witnesses?.some((w) => w.kind === "person" && w.source === "Ann" && w.value === 200)).toBe(true);
    expect(edited.result.status).toBe("verified");
    expect((await backend.approve(SHA, { by: "Ann" })).kind).toBe("ok");
  });
});
