import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { replaceFile, writeFileAtomic } from "../../../src/basics/atomic-file.js";
import type { FormResult } from "../../../src/forms/form-result.js";
import { REPORT_FILES, writeReports } from "../../../src/reports/write-reports.js";
import { fixtureBatch } from "../../fixtures/reference/fixture-batch.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
async function outDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "atomic-"));
  dirs.push(dir);
  return dir;
}

/** Yields a few results, then fails like a crash in the middle of an export. */
async function* failingAfter(results: readonly FormResult[], count: number): AsyncGenerator<FormResult> {
  for (const [i, result] of results.entries()) {
    if (i === count) throw new Error("crash in the middle of the export");
    yield result;
  }
}

describe("exports are replaced whole, never rewritten in place", () => {
  it("an export that fails half-way leaves the previous files intact and no temporary files", async () => {
    const dir = await outDir();
    const meta = { generatedAt: "2026-02-10T12:00:00Z" };
    await writeReports({ results: fixtureBatch(), outDir: dir, meta });
    const before = new Map<string, string>();
    for (const name of Object.values(REPORT_FILES)) before.set(name, await readFile(join(dir, name), "utf8"));

    await expect(writeReports({ results: failingAfter(fixtureBatch(), 2), outDir: dir, meta })).rejects.toThrow(/crash/);

    for (const name of Object.values(REPORT_FILES)) expect(await readFile(join(dir, name), "utf8")).toBe(before.get(name));
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("a successful export leaves only the real files", async () => {
    const dir = await outDir();
    await writeReports({ results: fixtureBatch(), outDir: dir, meta: { generatedAt: "now" } });
    expect((await readdir(dir)).sort()).toEqual(Object.values(REPORT_FILES).sort());
  });

  it("replaceFile keeps the old content when the writer fails, and swaps it in when the writer finishes", async () => {
    const dir = await outDir();
    const file = join(dir, "summary.md");
    await writeFile(file, "old");
    await expect(
      replaceFile(file, async (temporary) => {
        await writeFile(temporary, "half of the new");
        throw new Error("killed");
      }),
    ).rejects.toThrow("killed");
    expect(await readFile(file, "utf8")).toBe("old");
    expect(await readdir(dir)).toEqual(["summary.md"]);
    await writeFileAtomic(file, "new");
    expect(await readFile(file, "utf8")).toBe("new");
    expect(await readdir(dir)).toEqual(["summary.md"]);
  });
});
