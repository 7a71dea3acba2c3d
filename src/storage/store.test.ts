import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { failedResult } from "../forms/failed-result.js";
import type { FormResult } from "../forms/form-result.js";
import { MemoryStore } from "./memory-store.js";
import { SCHEMA_VERSION, SqliteStore } from "./sqlite-store.js";
import type { NewDocument, Store } from "./store.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "store-test-"));
  dirs.push(dir);
  return join(dir, "state.sqlite");
}

const hex = (n: number) => n.toString(16).padStart(64, "0");

function doc(n: number, path = `/scans/${n}.pdf`): NewDocument {
  return {
    id: hex(n),
    primaryPath: path,
    container: "pdf",
    sources: [{ path, sha256: hex(n), bytes: 100 + n }],
    pathMetadata: null,
  };
}

function verifiedResult(n: number): FormResult {
  const base = failedResult(
    { id: hex(n), sources: [{ path: `/scans/${n}.pdf`, sha256: hex(n), bytes: 1 }], pathMetadata: null },
    {
      code: "x",
      message: "x",
    },
  );
  const { error: _error, ...rest } = base;
  return {
    ...rest,
    status: "verified",
    reasons: [],
    votes: [{ number: 1, digits: "12", words: "สิบสอง", value: 12, mark: "digits" }],
  };
}

const implementations: Array<[string, () => Store]> = [
  ["MemoryStore", () => new MemoryStore()],
  ["SqliteStore", () => SqliteStore.open(tempFile())],
];

describe.each(implementations)("%s conformance", (_name, create) => {
  it("stores documents once per content and records other paths as duplicates", () => {
    const store = create();
    expect(store.upsertDocument(doc(1))).toEqual({ inserted: true, status: "pending", duplicatePath: false });
    expect(store.upsertDocument(doc(1))).toEqual({ inserted: false, status: "pending", duplicatePath: false });
    expect(store.upsertDocument(doc(1, "/other/copy.pdf"))).toEqual({
      inserted: false,
      status: "pending",
      duplicatePath: true,
    });
    expect(store.upsertDocument(doc(1, "/other/copy.pdf")).duplicatePath).toBe(false);
    const failed = store.upsertDocument({ ...doc(2), failure: { code: "empty_file", message: "zero bytes" } });
    expect(failed.status).toBe("failed");
    const record = store.getDocument(hex(1));
    expect(record?.duplicatePaths).toEqual(["/other/copy.pdf"]);
    expect(record?.sources[0]?.bytes).toBe(101);
    expect(store.getDocument(hex(2))?.error).toEqual({ code: "empty_file", message: "zero bytes" });
    expect(store.countByStatus()).toEqual({ pending: 1, verified: 0, needs_review: 0, failed: 1 });
    expect(store.listDocuments({ status: ["pending"] }).map((d) => d.id)).toEqual([hex(1)]);
    store.close();
  });

  it("keeps a paid reply until the document has a result", () => {
    const store = create();
    store.upsertDocument(doc(1));
    store.upsertDocument(doc(2));
    const kept = { model: "m", replyJson: '{"a":1}', promptTokens: 10, completionTokens: 5, costUsd: 0.001 };
    store.keepReply("k1", { documentId: hex(1), ...kept });
    store.keepReply("k1", { documentId: hex(1), ...kept, replyJson: '{"a":2}' });
    store.keepReply("k2", { documentId: hex(2), ...kept });
    expect(store.keptReply("k1")).toEqual({ documentId: hex(1), ...kept });
    expect(store.keptReply("nope")).toBeNull();
    store.saveResult(failedResult({ id: hex(2), sources: doc(2).sources, pathMetadata: null }, { code: "t", message: "x" }));
    expect(store.keptReply("k2")).toBeNull();
    expect(store.keptReply("k1")).not.toBeNull();
    store.saveResult(verifiedResult(1));
    expect(store.keptReply("k1")).toBeNull();
    store.close();
  });

  it("lists documents in first-seen order with paging", () => {
    const store = create();
    for (const n of [5, 3, 9, 1]) store.upsertDocument(doc(n));
    expect(store.listDocuments().map((d) => d.id)).toEqual([5, 3, 9, 1].map(hex));
    expect(store.listDocuments({ limit: 2, offset: 1 }).map((d) => d.id)).toEqual([3, 9].map(hex));
    expect(store.listDocuments({ after: hex(3), limit: 1 }).map((d) => d.id)).toEqual([hex(9)]);
    // Results page over the documents that have one, after a given document.
    store.saveResult(verifiedResult(5));
    store.saveResult(verifiedResult(1));
    expect([...store.iterateResults({ after: hex(5), limit: 1 })].map((r) => r.documentId)).toEqual([hex(1)]);
    expect([...store.iterateResults({ limit: 1, offset: 1 })].map((r) => r.documentId)).toEqual([hex(1)]);
    store.close();
  });

  it("saves a result with the document status, validates it on read, and can reset it", () => {
    const store = create();
    store.upsertDocument(doc(1));
    store.upsertDocument(doc(2));
    store.saveResult(verifiedResult(1));
    const failure = failedResult({ id: hex(2), sources: doc(2).sources, pathMetadata: null }, { code: "t", message: "gave up" });
    store.saveResult(failure);
    expect(store.getDocument(hex(1))?.status).toBe("verified");
    expect(store.getDocument(hex(2))?.error).toEqual({ code: "t", message: "gave up" });
    const read = store.getResult(hex(1));
    expect(read?.ok && read.value.votes[0]?.value).toBe(12);
    expect(store.getResult(hex(3))).toBeNull();
    expect([...store.iterateResults({ status: ["failed"] })].map((r) => r.documentId)).toEqual([hex(2)]);
    expect(store.resetStatus([hex(2), hex(2)])).toBe(1);
    expect(store.getDocument(hex(2))?.status).toBe("pending");
    expect(store.getResult(hex(2))).toBeNull();
    store.close();
  });

  it("records attempts and sums usage, per day and per window", () => {
    const store = create();
    const base = {
      documentId: hex(1),
      purpose: "read",
      httpStatus: null,
      message: null,
      model: "m",
      promptTokens: 100,
      completionTokens: 20,
    };
    store.recordAttempt({ ...base, startedAt: 1_000, endedAt: 2_000, outcome: "ok", costUsd: 0.01 });
    store.recordAttempt({ ...base, startedAt: 5_000, endedAt: 6_000, outcome: "transient", costUsd: null, httpStatus: 502 });
    store.recordAttempt({ ...base, documentId: hex(2), startedAt: 9_000, endedAt: 9_500, outcome: "ok", costUsd: 0.03 });
    const totals = store.usageTotals();
    expect(totals.requests).toBe(3);
    expect(totals.costedRequests).toBe(2);
    expect(totals.costUsd).toBeCloseTo(0.04);
    expect(totals.promptTokens).toBe(300);
    expect(store.countRequestsSince(5_000)).toBe(2);
    expect(store.requestStartsSince(4_000)).toEqual([5_000, 9_000]);
    expect(store.listAttempts(hex(1)).map((a) => a.httpStatus)).toEqual([null, 502]);
    expect(store.attemptCountsByDocument().get(hex(1))).toBe(2);
    store.close();
  });

  it("keeps run metadata", () => {
    const store = create();
    expect(store.getMeta("inputs")).toBeNull();
    store.setMeta("inputs", "a");
    store.setMeta("inputs", "b");
    expect(store.getMeta("inputs")).toBe("b");
    store.close();
  });

  it("applies review edits with an audit trail and refuses invalid ones", () => {
    const store = create();
    store.upsertDocument(doc(1));
    store.saveResult(verifiedResult(1));
    const edit = store.applyEdit({ documentId: hex(1), fieldPath: "votes.0.value", newValue: 13, by: "somchai" });
    expect(edit.ok && edit.value.oldValue).toBe(12);
    const read = store.getResult(hex(1));
    const cell = read?.ok ? read.value.votes[0] : undefined;
    expect(cell?.value).toBe(13);
    expect(cell?.edit?.by).toBe("somchai");
    expect(cell?.edit?.previousValue).toBe(12);
    expect(store.applyEdit({ documentId: hex(1), fieldPath: "votes.0.value", newValue: -4, by: "x" }).ok).toBe(false);
    expect(store.applyEdit({ documentId: hex(1), fieldPath: "votes.7.value", newValue: 1, by: "x" }).ok).toBe(false);
    expect(store.applyEdit({ documentId: hex(9), fieldPath: "status", newValue: "verified", by: "x" }).ok).toBe(false);
    const edits = store.listEdits(hex(1));
    expect(edits).toHaveLength(1);
    expect(edits[0]).toMatchObject({ fieldPath: "votes.0.value", oldValue: 12, newValue: 13, by: "somchai" });
    store.close();
  });
});

describe("SqliteStore on disk", () => {
  it("uses WAL, versions its schema, and reopens with the data intact", () => {
    const file = tempFile();
    const store = SqliteStore.open(file);
    store.upsertDocument(doc(1));
    store.saveResult(verifiedResult(1));
    store.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(raw.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    raw.close();
    const again = SqliteStore.open(file);
    expect(again.getDocument(hex(1))?.status).toBe("verified");
    again.close();
  });

  it("reports a stored result that no longer validates instead of throwing", () => {
    const file = tempFile();
    const store = SqliteStore.open(file);
    store.upsertDocument(doc(1));
    store.saveResult(verifiedResult(1));
    store.close();
    const raw = new Database(file);
    raw.prepare("UPDATE results SET json = ?").run(JSON.stringify({ schemaVersion: 99 }));
    raw.close();
    const again = SqliteStore.open(file);
    const read = again.getResult(hex(1));
    expect(read?.ok).toBe(false);
    again.close();
  });
});
