import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { analyseResults, type BatchAnalysis, BatchCollector, FormsInMemory } from "../../../src/aggregate/batch-analysis.js";
import { summariseForm, withoutTexts } from "../../../src/aggregate/form-summary.js";
import type { FormResult } from "../../../src/forms/form-result.js";
import { loadReference } from "../../../src/reference/load-reference.js";
import { SpilledForms } from "../../../src/reports/form-spill.js";
import { writeReports } from "../../../src/reports/write-reports.js";
import { fixtureBatch, MINI_REFERENCE_DIR } from "../../fixtures/reference/fixture-batch.js";
import { makeFormResult } from "../../fixtures/reference/make-form-result.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "form-spill-"));
  dirs.push(dir);
  return dir;
}

/** The analysis as plain data, with every constituency's stations read back. */
function plain(analysis: BatchAnalysis): unknown {
  const { stationsOf, ...rest } = analysis;
  const stations = [...analysis.rollup.constituencies.keys()].map((key) => [key, stationsOf(key)]);
  return JSON.parse(JSON.stringify({ ...rest, stations }, (_key, value) => (value instanceof Map ? [...value] : value)));
}

const META = { generatedAt: "2026-02-10T12:00:00Z", command: "ballot-ocr process forms/", provider: "fake", model: "m" };

describe("SpilledForms", () => {
  it("gives back each part's forms in the order they were put, across flushes", async () => {
    const forms = fixtureBatch().map((result) => withoutTexts(summariseForm(result)));
    const dir = await freshDir();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(forms.length - 1), fc.constantFrom("A_1", "B_2", "", "-")), { maxLength: 60 }),
        async (puts) => {
          // A 200-byte chunk: writes reach the file while parts are still being put.
          const spill = SpilledForms.open(dir, 200);
          const memory = new FormsInMemory();
          try {
            puts.forEach(([which, part], order) => {
              spill.put(part, order, forms[which]!);
              memory.put(part, order, forms[which]!);
            });
            expect([...spill.parts()]).toEqual([...memory.parts()]);
            for (const part of memory.parts()) {
              const back = spill.formsOf(part).map(({ order, form }) => ({ order, form: { ...form, votes: [...form.votes] } }));
              const kept = memory.formsOf(part).map(({ order, form }) => ({ order, form: { ...form, votes: [...form.votes] } }));
              expect(back).toEqual(kept);
            }
          } finally {
            spill.close();
          }
        },
      ),
      { numRuns: 40 },
    );
    // Unlinked when opened: nothing is left in the folder, during a run or after one.
    expect(await readdir(dir)).toEqual([]);
  });

  it("gives the same analysis as forms kept in memory", async () => {
    const loaded = await loadReference(MINI_REFERENCE_DIR);
    if (!loaded.ok) throw new Error(loaded.error.message);
    const batch = fixtureBatch();
    // The same content twice, and a batch order that interleaves constituencies.
    const results: FormResult[] = [...batch, batch[2]!, ...batch.slice(0, 3).reverse()];
    const dir = await freshDir();
    const spill = SpilledForms.open(dir, 300);
    try {
      const inMemory = new BatchCollector(5);
      const spilled = new BatchCollector(5, spill);
      for (const result of results) {
        inMemory.add(result);
        spilled.add(result);
      }
      const expected = plain(inMemory.analyse(loaded.value));
      expect(plain(spilled.analyse(loaded.value))).toEqual(expected);
      expect((expected as { grouping: { duplicates: unknown[] } }).grouping.duplicates.length).toBeGreaterThan(0);
    } finally {
      spill.close();
    }
  });

  it("leaves no spill in the exports' folder, whether the export finishes or is cancelled", async () => {
    const dir = await freshDir();
    await writeReports({ results: fixtureBatch(), outDir: dir, meta: META });
    expect((await readdir(dir)).filter((name) => name.endsWith(".spill"))).toEqual([]);

    const cancelled = await freshDir();
    const controller = new AbortController();
    async function* stopHalfway(): AsyncGenerator<FormResult> {
      const batch = fixtureBatch();
      for (const [i, result] of batch.entries()) {
        if (i === 3) controller.abort();
        yield result;
      }
    }
    await expect(writeReports({ results: stopHalfway(), outDir: cancelled, meta: META, signal: controller.signal })).rejects.toThrow();
    expect(await readdir(cancelled)).toEqual([]);
  });
});

describe("the batch analysis's lists", () => {
  /** Two constituencies, ten stations each whose two forms disagree on ballots used, and one station reported twice per unit. */
  function disagreeing(): FormResult[] {
    const results: FormResult[] = [];
    for (const constituency of [1, 2]) {
      for (let unit = 1; unit <= 10; unit++) {
        const at = { province: "แพร่", provinceId: "PRE", constituency, unit, code: "5/18" as const };
        const path = (kind: string, copy = "") => `PRE/${constituency}/${unit}/${kind}${copy}.pdf`;
        results.push(makeFormResult({ ...at, path: path("c"), kind: "constituency", votes: [100 + unit * 10, 50], bad: 1, noVote: 1 }));
        results.push(makeFormResult({ ...at, path: path("p"), kind: "party_list", votes: [100, 50], bad: 1, noVote: 1 }));
        results.push(makeFormResult({ ...at, path: path("p", "-again"), kind: "party_list", votes: [100, 50], bad: 1, noVote: 1 }));
      }
    }
    return results;
  }

  it("keep the first of each constituency, exact at the top, with counts of all", () => {
    const whole = analyseResults(disagreeing(), undefined, 20, Infinity);
    const listed = analyseResults(disagreeing(), undefined, 20, 3);
    expect(whole.pairs.length).toBeGreaterThan(6);
    expect(listed.pairs).toHaveLength(6);
    expect(listed.pairCount).toBe(whole.pairs.length);
    expect(listed.pairs.slice(0, 3)).toEqual(whole.pairs.slice(0, 3));
    expect(listed.grouping.duplicates).toHaveLength(6);
    expect(listed.grouping.duplicateCount).toBe(whole.grouping.duplicates.length);
    expect(listed.grouping.duplicates.slice(0, 3)).toEqual(whole.grouping.duplicates.slice(0, 3));
    // The sums never depend on what is listed.
    expect(plain({ ...listed, pairs: [], grouping: { ...listed.grouping, duplicates: [], duplicateCount: 0 }, pairCount: 0 })).toEqual(
      plain({ ...whole, pairs: [], grouping: { ...whole.grouping, duplicates: [], duplicateCount: 0 }, pairCount: 0 }),
    );
  });
});
