import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { FormResult } from "../../../src/forms/form-result.js";
import { MemoryStore } from "../../../src/storage/memory-store.js";
import type { ResultQuery } from "../../../src/storage/result-index.js";
import { SqliteStore } from "../../../src/storage/sqlite-store.js";
import type { Store } from "../../../src/storage/store.js";
import { makeResult } from "../../web/helpers.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function sha(i: number): string {
  return i.toString(16).padStart(64, "0");
}

function fill(store: Store, count: number): void {
  for (let i = 1; i <= count; i++) {
    const file = `/u/${["แพร่", "น่าน"][i % 2]}/unit-${String(i).padStart(3, "0")}.png`;
    const base = makeResult(file, sha(i), i, i % 3 === 0 ? { row: 2, value: 260 } : undefined);
    const result: FormResult = {
      ...base,
      location: { ...base.location, province: i % 2 === 0 ? "แพร่" : "น่าน", constituency: (i % 4) + 1 },
    };
    store.upsertDocument({ id: sha(i), primaryPath: file, container: "image", sources: result.document.sources, pathMetadata: null });
    store.saveResult(result);
  }
  store.upsertDocument({
    id: sha(999),
    primaryPath: "/u/broken.pdf",
    container: "unknown",
    sources: [{ path: "/u/broken.pdf", sha256: sha(999), bytes: 0 }],
    pathMetadata: null,
    failure: { code: "pdf_damaged", message: "the PDF is damaged" },
  });
}

const QUERIES: ResultQuery[] = [
  { sort: "path", descending: false, offset: 0, limit: 10 },
  { sort: "path", descending: true, offset: 5, limit: 7 },
  { status: "needs_review", sort: "priority", descending: true, offset: 0, limit: 50 },
  { queue: true, sort: "priority", descending: true, offset: 0, limit: 50 },
  { province: "แพร่", constituency: 3, sort: "unit", descending: false, offset: 0, limit: 50 },
  { text: "UNIT-01", sort: "good", descending: true, offset: 0, limit: 50 },
];

describe("results paged, filtered and sorted in the store", () => {
  it("gives the same pages from SQLite and from memory", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "result-index-"));
    dirs.push(dir);
    const sqlite = SqliteStore.open(path.join(dir, "state.sqlite"));
    const memory = new MemoryStore();
    fill(sqlite, 40);
    fill(memory, 40);
    for (const query of QUERIES) {
      const a = sqlite.queryResults(query);
      const b = memory.queryResults(query);
      expect(a.total).toBe(b.total);
      expect(a.rows.map((r) => r.id)).toEqual(b.rows.map((r) => r.id));
    }
    expect(sqlite.countResults()).toEqual({ verified: 27, needs_review: 13, failed: 1 });
    // The refused file leads the queue; forms with a misread follow, ranked by the votes at stake.
    const queue = sqlite.queryResults(QUERIES[3]!);
    expect(queue.rows[0]).toMatchObject({ id: sha(999), status: "failed" });
    expect(queue.rows[1]?.impact.en).toMatch(/votes unconfirmed/);
    expect(queue.rows[1]?.sentences[0]?.th).toMatch(/[\u0E00-\u0E7F]/);
    sqlite.close();
  });

  it("indexes a store written before the index existed when it is opened", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "result-index-"));
    dirs.push(dir);
    const file = path.join(dir, "state.sqlite");
    const store = SqliteStore.open(file);
    fill(store, 5);
    store.close();
    // Turn it back into a version-1 file: no index table.
    const raw = new Database(file);
    raw.exec("DROP TABLE result_index; DROP TABLE result_rows; DROP TABLE result_search");
    raw.pragma("user_version = 1");
    raw.close();
    const reopened = SqliteStore.open(file);
    expect(reopened.queryResults({ sort: "path", descending: false, offset: 0, limit: 100 }).total).toBe(6);
    reopened.close();
  });

  it("keeps a row current after an edit and drops it when the document is reset", () => {
    const store = new MemoryStore();
    fill(store, 3);
    const id = sha(3);
    expect(store.queryResults({ queue: true, sort: "priority", descending: true, offset: 0, limit: 9 }).rows.map((r) => r.id)).toContain(
      id,
    );
    const dir = mkdtempSync(path.join(tmpdir(), "result-index-"));
    dirs.push(dir);
    const sqlite = SqliteStore.open(path.join(dir, "s.sqlite"));
    fill(sqlite, 3);
    expect(sqlite.applyEdit({ documentId: id, fieldPath: "votes.1.value", newValue: 200, by: "x" }).ok).toBe(true);
    expect(sqlite.queryResults({ text: "unit-003", sort: "path", descending: false, offset: 0, limit: 9 }).rows[0]?.edited).toBe(true);
    sqlite.resetStatus([id]);
    expect(sqlite.queryResults({ text: "unit-003", sort: "path", descending: false, offset: 0, limit: 9 }).total).toBe(0);
    sqlite.close();
  });
});
