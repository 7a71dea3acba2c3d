import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyseResults, type BatchAnalysis } from "../../../src/aggregate/batch-analysis.js";
import { summariseForm } from "../../../src/aggregate/form-summary.js";
import { type OverviewSource, overviewSourceOf, storedOverviewOf } from "../../../src/aggregate/overview-areas.js";
import { failedResult } from "../../../src/forms/failed-result.js";
import type { FormResult } from "../../../src/forms/form-result.js";
import { loadReference } from "../../../src/reference/load-reference.js";
import type { Reference } from "../../../src/reference/reference.js";
import { MemoryStore } from "../../../src/storage/memory-store.js";
import { SqliteStore } from "../../../src/storage/sqlite-store.js";
import type { Store } from "../../../src/storage/store.js";
import { collectOverview, overviewOf, storeOverview } from "../../../src/web/overview.js";
import { fixtureBatch, MINI_REFERENCE_DIR } from "../../fixtures/reference/fixture-batch.js";
import { makeFormResult } from "../../fixtures/reference/make-form-result.js";

/**
 * The overview from the store's per-constituency parts (and from results given as a list) is the
 * batch analysis the reports use, field for field and in the same order, through edits, re-puts,
 * resets and unread values; and a store written before the overview tables gets them on open.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "overview-store-"));
  dirs.push(dir);
  return join(dir, "state.sqlite");
}

let reference: Reference;
beforeAll(async () => {
  const loaded = await loadReference(MINI_REFERENCE_DIR);
  if (!loaded.ok) throw new Error(loaded.error.message);
  reference = loaded.value;
});

/** The batch analysis's answer (every list whole), in the overview's terms (written here, apart from the code under test). */
function sourceOfAnalysis(a: BatchAnalysis): OverviewSource {
  const ref = (f: { documentId: string; path: string }) => ({ documentId: f.documentId, path: f.path });
  return {
    documents: a.documents,
    statusCounts: a.statusCounts,
    areas: [...a.rollup.constituencies.values()].map((area) => ({
      key: area.key,
      province: area.province,
      constituency: area.constituency,
      stations: area.stations,
      totals: area.totals,
    })),
    national: a.rollup.national,
    coverage: a.comparison.coverage.national,
    discrepancies: a.comparison.discrepancies,
    notCompared: a.comparison.notCompared.length,
    duplicates: a.grouping.duplicates.map((d) => ({
      kind: d.kind,
      counted: ref(d.counted),
      ignored: ref(d.ignored),
      differences: d.differences,
    })),
    pairs: a.pairs.map((p) => ({
      stationKey: p.stationKey,
      constituencyBallots: p.constituencyBallots,
      partyListBallots: p.partyListBallots,
      difference: p.difference,
    })),
    anomalies: a.anomalies.map((x) => ({
      constituencyKey: x.constituencyKey,
      metric: x.metric,
      row: x.row,
      value: x.value,
      median: x.median,
      score: x.score,
      form: ref(x.form),
    })),
  };
}

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Forms over several provinces (one without an id, some with none), both kinds and codes, unread cells, duplicates. */
function generated(seed: number, count: number): FormResult[] {
  const r = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
  const results: FormResult[] = [];
  for (let i = 0; i < count; i++) {
    const place = pick([
      { province: "แพร่", provinceId: "PRE" },
      { province: "แพร่", provinceId: "PRE" },
      { province: "น่าน", provinceId: "NAN" },
      { province: "ลำปาง", provinceId: null },
    ]);
    const kind = pick(["constituency", "party_list"] as const);
    const code = r() < 0.85 ? "5/18" : "5/16";
    const rows = kind === "constituency" ? 3 : 5;
    const votes = Array.from({ length: rows }, () => (r() < 0.08 ? null : Math.floor(r() * 100) + (r() < 0.03 ? 500 : 0)));
    const base = makeFormResult({
      path: `gen${seed}/${place.province}/${i}.pdf`,
      kind,
      code,
      province: place.province,
      provinceId: place.provinceId,
      constituency: 1 + Math.floor(r() * 2),
      subdistrict: pick(["ในเวียง", "ร้องกวาง", null]),
      unit: code === "5/18" ? (r() < 0.04 ? null : 1 + Math.floor(r() * 14)) : null,
      setNumber: code === "5/16" ? 1 + Math.floor(r() * 2) : null,
      votes,
      bad: r() < 0.1 ? null : Math.floor(r() * 10) + (r() < 0.03 ? 60 : 0),
      noVote: r() < 0.1 ? null : Math.floor(r() * 5),
      ...(r() < 0.5 ? { eligibleVoters: 400 + Math.floor(r() * 100) } : {}),
      status: pick(["verified", "verified", "verified", "needs_review", "failed"] as const),
      ...(r() < 0.1 ? { editedBy: "reviewer" } : {}),
      ...(r() < 0.5 ? { confidence: Math.round(r() * 100) / 100 } : {}),
    });
    const roll = r();
    // A few whose place or kind is unknown: summed nationally only, or not at all.
    if (roll < 0.04) results.push({ ...base, location: { ...base.location, province: null, provinceId: null } });
    else if (roll < 0.07) results.push({ ...base, location: { ...base.location, constituency: null } });
    else if (roll < 0.09) results.push({ ...base, formKind: null });
    else results.push(base);
  }
  return results;
}

function expectSame(actual: OverviewSource, expected: OverviewSource): void {
  expect(actual).toEqual(expected);
  // Arrays and map entries in the same order: the page shows them as they come.
  expect(JSON.stringify(overviewOf(actual, (p) => p))).toBe(JSON.stringify(overviewOf(expected, (p) => p)));
}

describe("the overview from per-constituency parts", () => {
  it.each([
    ["the fixture batch", () => fixtureBatch()],
    ["the fixture batch and generated forms", () => [...fixtureBatch(), ...generated(7, 300)]],
    ["generated forms", () => generated(11, 400)],
  ])("is the batch analysis's, with and without the reference: %s", async (_name, make) => {
    const results = make();
    for (const ref of [reference, undefined]) {
      const expected = sourceOfAnalysis(analyseResults(results, ref, 20, Infinity));
      const forms = results.map((result, order) => ({ order, form: summariseForm(result) }));
      expectSame(overviewSourceOf(storedOverviewOf(forms), ref), expected);
      const overview = await collectOverview(results, ref);
      expect(JSON.stringify(overview)).toBe(JSON.stringify(overviewOf(expected, (p) => p)));
    }
  });

  it("has every kind of line to compare in the generated batch", () => {
    const expected = sourceOfAnalysis(analyseResults([...fixtureBatch(), ...generated(7, 300)], reference, 20, Infinity));
    expect(expected.duplicates.length).toBeGreaterThan(0);
    expect(expected.pairs.length).toBeGreaterThan(0);
    expect(expected.anomalies.length).toBeGreaterThan(0);
    expect(expected.discrepancies.length).toBeGreaterThan(0);
    expect(expected.areas.length).toBeGreaterThan(3);
  });

  it("lists the same content read twice once, like the batch analysis", async () => {
    const results = generated(3, 60);
    const twice = [...results, { ...results[5]!, status: "needs_review" as const }];
    const overview = await collectOverview(twice, reference);
    expect(JSON.stringify(overview)).toBe(
      JSON.stringify(overviewOf(sourceOfAnalysis(analyseResults(twice, reference, 20, Infinity)), (p) => p)),
    );
    expect(overview.duplicates.some((d) => d.kind === "same_content")).toBe(true);
  });
});

/** What the web always listed: stored results in document order, then the documents refused before they were read. */
function storedList(store: Store): FormResult[] {
  const results: FormResult[] = [];
  const seen = new Set<string>();
  for (const { documentId, result } of store.iterateResults()) {
    seen.add(documentId);
    if (result.ok) results.push(result.value);
  }
  for (const doc of store.listDocuments({ status: ["failed"] })) {
    if (!seen.has(doc.id)) results.push(failedResult(doc, doc.error ?? { code: "failed", message: "the file could not be read" }));
  }
  return results;
}

function fill(store: Store, results: readonly FormResult[]): void {
  for (const result of results) {
    const path = result.document.sources[0]!.path;
    store.upsertDocument({
      id: result.document.id,
      primaryPath: path,
      container: "pdf",
      sources: result.document.sources,
      pathMetadata: null,
    });
    store.saveResult(result);
  }
  // A file refused at discovery, its place known from its path only.
  store.upsertDocument({
    id: "f".repeat(64),
    primaryPath: "แพร่/เขต1/ในเวียง/หน่วย3/refused.pdf",
    container: "unknown",
    sources: [{ path: "แพร่/เขต1/ในเวียง/หน่วย3/refused.pdf", sha256: "f".repeat(64), bytes: 10 }],
    pathMetadata: {
      province: { value: "แพร่", source: "path" },
      constituency: { value: 1, source: "path" },
      district: null,
      subdistrict: { value: "ในเวียง", source: "path" },
      unit: { value: 3, source: "path" },
      setNumber: null,
      formCode: { value: "5/18", source: "path" },
      formKind: { value: "constituency", source: "path" },
    },
    failure: { code: "unreadable", message: "not a PDF" },
  });
}

function expectStoreMatches(store: Store): void {
  for (const ref of [reference, undefined]) {
    const expected = sourceOfAnalysis(analyseResults(storedList(store), ref, 20, Infinity));
    expectSame(overviewSourceOf(store.overviewAreas(), ref), expected);
  }
}

/** Edits (a vote unread, a number changed), a re-put that moves a form to another province, and a reset. */
function change(store: Store, results: readonly FormResult[]): void {
  const edit = (i: number, fieldPath: string, newValue: unknown) => {
    const outcome = store.applyEdit({ documentId: results[i]!.document.id, fieldPath, newValue, by: "reviewer" });
    expect(outcome.ok).toBe(true);
  };
  edit(0, "votes.0.value", 999);
  edit(3, "votes.1.value", null);
  edit(4, "totals.bad.value", null);
  edit(12, "totals.good.value", 7);
  const moved = results[20]!;
  store.saveResult({ ...moved, status: "verified", location: { ...moved.location, province: "น่าน", provinceId: "NAN", constituency: 1 } });
  const again = results[21]!;
  store.saveResult({ ...again, status: again.status === "verified" ? "needs_review" : "verified" });
  expect(store.resetStatus([results[30]!.document.id, results[31]!.document.id])).toBe(2);
}

describe.each([
  ["MemoryStore", () => new MemoryStore()],
  ["SqliteStore", () => SqliteStore.open(tempFile())],
] as const)("%s overview", (_name, create) => {
  it("is the batch analysis of its results, after edits, re-puts and resets", () => {
    const store = create();
    const results = [...fixtureBatch(), ...generated(5, 250)];
    fill(store, results);
    expectStoreMatches(store);
    change(store, results);
    expectStoreMatches(store);
    // Asked twice without a change: the kept parts give the same answer.
    expect(JSON.stringify(storeOverview(store.overviewAreas(), reference))).toBe(
      JSON.stringify(storeOverview(store.overviewAreas(), reference)),
    );
    store.close();
  });

  it("never shows an unread value as 0: a sum with an unread part stays partial", () => {
    const store = create();
    const results = [
      makeFormResult({ path: "a.pdf", kind: "constituency", unit: 1, votes: [10, 20], bad: 1, noVote: 2 }),
      makeFormResult({ path: "b.pdf", kind: "constituency", unit: 2, votes: [null, 5], bad: null, noVote: 1 }),
    ];
    fill(store, results);
    const overview = storeOverview(store.overviewAreas());
    const line = overview.areas.find((a) => a.key === "PRE_1")!.kinds["constituency"]!;
    expect(line.bad).toBeNull();
    expect(line.atLeast.bad).toBe(1);
    expect(line.unread.bad).toBe(1);
    expect(line.good).toBeNull();
    expect(line.completeForms).toBe(1);
    expect(line.voteCellsUnread).toBe(1);
    store.close();
  });
});

describe("closing the SQLite store", () => {
  it("leaves the overview current: the parts a run's writes cleared are recomputed once, at close", () => {
    const file = tempFile();
    const store = SqliteStore.open(file);
    fill(store, generated(13, 80));
    store.close();
    const check = new Database(file, { readonly: true });
    expect(check.prepare("SELECT COUNT(*) FROM overview_areas WHERE part IS NULL").pluck().get()).toBe(0);
    check.close();
    const reopened = SqliteStore.open(file);
    expectStoreMatches(reopened);
    reopened.close();
  });
});

describe("recomputing the SQLite store's parts a few at a time", () => {
  it("counts down to none left, and the overview is then the same", () => {
    const store = SqliteStore.open(tempFile());
    const results = [...fixtureBatch(), ...generated(17, 200)];
    fill(store, results);
    const steps: number[] = [];
    for (let left = store.refreshOverview(1); left > 0; left = store.refreshOverview(1)) steps.push(left);
    expect(steps.length).toBeGreaterThan(2);
    expect(steps).toEqual([...steps].sort((a, b) => b - a));
    expect(store.refreshOverview(1)).toBe(0);
    expectStoreMatches(store);
    store.close();
  });
});

describe("an older state file", () => {
  it("gets the overview tables built from its stored results on open", () => {
    const file = tempFile();
    const results = [...fixtureBatch(), ...generated(9, 150)];
    const store = SqliteStore.open(file);
    fill(store, results);
    const before = JSON.stringify(storeOverview(store.overviewAreas(), reference));
    store.close();
    // As version 4 left it: no overview tables.
    const db = new Database(file);
    db.exec("DROP TABLE overview_forms; DROP TABLE overview_areas;");
    db.pragma("user_version = 4");
    db.close();
    const reopened = SqliteStore.open(file);
    const check = new Database(file, { readonly: true });
    // Built on open, parts included: the first overview after the upgrade recomputes nothing.
    expect(check.prepare("SELECT COUNT(*) FROM overview_areas WHERE part IS NULL").pluck().get()).toBe(0);
    expect(check.prepare("SELECT COUNT(*) FROM overview_areas").pluck().get()).toBeGreaterThan(3);
    check.close();
    expect(JSON.stringify(storeOverview(reopened.overviewAreas(), reference))).toBe(before);
    expectStoreMatches(reopened);
    reopened.close();
  });
});
