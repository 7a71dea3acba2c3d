import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import * as mupdf from "mupdf";
import { afterAll, describe, expect, it } from "vitest";
import { FormResultSchema } from "../forms/form-result.js";
import { generateSynthBatch, type SynthTruthLine } from "./generate.js";
import { seriesId, sha256Hex } from "./write-document.js";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "synth-test-"));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

async function readTruth(path: string): Promise<SynthTruthLine[]> {
  const text = await readFile(path, "utf8");
  return text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as SynthTruthLine);
}

describe("generateSynthBatch", () => {
  it("writes scanned PDFs whose ids and page counts match the truth, byte-identical for a seed", async () => {
    const options = { count: 2, kind: "mixed", form: "5/18", seed: 11, format: "pdf", noise: "scan", errorRate: 0.5 } as const;
    const a = await tempDir();
    const b = await tempDir();
    const first = await generateSynthBatch({ ...options, outDir: a });
    await generateSynthBatch({ ...options, outDir: b });
    expect(first.documents).toBe(2);

    const files = await listFiles(a);
    expect(await listFiles(b)).toEqual(files);
    for (const file of files) expect((await readFile(join(b, file))).equals(await readFile(join(a, file)))).toBe(true);

    const lines = await readTruth(first.truthPath);
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.path).toMatch(/^เขตเลือกตั้งที่ \d+ จังหวัด.+\/หน่วย(เลือกตั้ง)?ที่ \d+\/สส\.5ทับ18(\(บช\))?\.pdf$/);
      const bytes = await readFile(join(a, line.path));
      expect(line.sha256).toBe(sha256Hex(bytes));
      expect(line.truth.document.id).toBe(line.sha256);
      expect(line.truth.document.sources).toEqual([{ path: line.path, sha256: line.sha256, bytes: bytes.length }]);
      expect(FormResultSchema.safeParse(line.truth).success).toBe(true);
      const pdf = mupdf.Document.openDocument(bytes, "application/pdf");
      expect(pdf.countPages()).toBe(line.truth.formKind === "party_list" ? 4 : 2);
      expect(line.truth.document.pages).toHaveLength(pdf.countPages());
      pdf.destroy();
    }
  }, 60_000);

  it("writes a PNG page series named page-N.png with the series id", async () => {
    const dir = await tempDir();
    const result = await generateSynthBatch({
      outDir: dir,
      count: 1,
      kind: "constituency",
      form: "5/17",
      seed: 3,
      format: "png",
      noise: "none",
      errorRate: 0,
    });
    const [line] = await readTruth(result.truthPath);
    if (!line) throw new Error("no truth line");
    expect(line.paths.map((p) => p.split("/").pop())).toEqual(["page-1.png", "page-2.png"]);
    expect(line.path).toBe(line.paths[0]);
    expect(line.paths[0]).toMatch(/ล่วงหน้านอกเขตและนอกราชอาณาจักร\/ชุดที่ (\d+)\/สส\.5ทับ17ชุดที่\1\/page-1\.png$/);
    const hashes = await Promise.all(line.paths.map(async (p) => sha256Hex(await readFile(join(dir, p)))));
    expect(line.sha256).toBe(seriesId(hashes));
    expect(line.truth.document.id).toBe(line.sha256);
    expect(line.injected).toEqual([]);
    expect(line.truth.status).toBe("verified");
  }, 30_000);

  it("stops when aborted", async () => {
    const dir = await tempDir();
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(
      generateSynthBatch(
        { outDir: dir, count: 3, kind: "constituency", seed: 1, format: "png", noise: "none", errorRate: 0 },
        controller.signal,
      ),
    ).rejects.toThrow("stop");
  });
});
