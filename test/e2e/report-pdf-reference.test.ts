import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { FormResult } from "../../src/forms/form-result.js";
import { parseCsv } from "../../src/reports/csv.js";
import { locateThaiFonts } from "../../src/reports/pdf/thai-fonts.js";
import { SqliteStore } from "../../src/storage/sqlite-store.js";
import { statePath } from "../../src/workspace/state-path.js";
import { fixtureBatch, MINI_REFERENCE_DIR } from "../fixtures/reference/fixture-batch.js";
import { runMain } from "../support/in-process-cli.js";
import { hasPdftotext, pdfText } from "../support/pdf-text.js";
import { runCli } from "./support/cli-run.js";
import { useSynthBatch } from "./support/synth-batch.js";

/**
 * `process` and `report` write the PDF reports (checked with pdftotext for Thai text), `--no-pdf`
 * skips them, and the reference sticks: `report --reference` brings stored results up to it,
 * later runs without the flag keep it.
 */
const batch = useSynthBatch("report-pdf", 2);
const canCheckPdfs = locateThaiFonts().ok && hasPdftotext();

function pdfs(out: string): string[] {
  const dir = join(out, "pdf");
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

const cli = (...argv: string[]) => runMain(argv);

function records(file: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(readFileSync(file, "utf8"));
  return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i] ?? ""])));
}

/** An output folder whose results were read without a reference: no province ids. */
function storeWithoutReference(out: string): void {
  mkdirSync(out, { recursive: true });
  const store = SqliteStore.open(statePath(out));
  try {
    for (const result of fixtureBatch()) {
      const bare: FormResult = { ...result, location: { ...result.location, provinceId: null } };
      const source = bare.document.sources[0]!;
      store.upsertDocument({
        id: bare.document.id,
        primaryPath: source.path,
        container: "pdf",
        sources: bare.document.sources,
        pathMetadata: null,
      });
      store.saveResult(bare);
    }
    store.setMeta("last_command", "ballot-ocr process forms --out out");
  } finally {
    store.close();
  }
}

describe("PDF reports from the CLI", () => {
  it.skipIf(!canCheckPdfs)("process writes pdf/ with Thai text; --no-pdf skips it", async () => {
    const server = await batch.fakeServer();
    const out = join(batch.root(), "with-pdf");
    const run = await runCli(batch.processArgs(server, out)).done;
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/pdf\/ \(\d+ PDFs\)/);
    const files = pdfs(out);
    expect(files).toContain("executive-summary.pdf");
    expect(files).toContain("batch-summary.pdf");
    expect(files.some((f) => f.startsWith("constituency-"))).toBe(true);
    for (const file of files)
      expect(
        readFileSync(join(out, "pdf", file))
          .subarray(0, 5)
          .toString(),
      ).toBe("%PDF-");
    expect(pdfText(join(out, "pdf", "executive-summary.pdf"), { oneLine: true })).toContain("สรุปผลการตรวจนับคะแนน");
    expect(pdfText(join(out, "pdf", files.find((f) => f.startsWith("constituency-"))!), { oneLine: true })).toContain("รายงานผลคะแนน");

    const bare = join(batch.root(), "no-pdf");
    const skipped = await runCli(batch.processArgs(server, bare, "--no-pdf")).done;
    expect(skipped.code).toBe(0);
    expect(existsSync(join(bare, "pdf"))).toBe(false);
  });

  it.skipIf(!canCheckPdfs)("report writes pdf/ with Thai text; --no-pdf skips it", async () => {
    const out = join(batch.root(), "report-pdf");
    storeWithoutReference(out);
    const report = await cli("report", "--out", out);
    expect(report.stderr).toBe("");
    expect(report.code).toBe(0);
    expect(pdfs(out)).toEqual(["batch-summary.pdf", "constituency-แพร่_1.pdf", "constituency-แพร่_2.pdf", "executive-summary.pdf"]);
    const batchText = pdfText(join(out, "pdf", "batch-summary.pdf"), { oneLine: true });
    expect(batchText).toContain("สรุปชุดงาน");
    expect(batchText).toContain("แพร่ เขต 1");

    rmSync(join(out, "pdf"), { recursive: true });
    expect((await cli("report", "--out", out, "--no-pdf")).code).toBe(0);
    expect(existsSync(join(out, "pdf"))).toBe(false);
  });
});

describe("reference data that sticks", () => {
  it("report --reference brings stored results up to it: names, parties, province ids, coverage", async () => {
    const out = join(batch.root(), "enrich");
    storeWithoutReference(out);
    expect((await cli("report", "--out", out, "--no-pdf")).code).toBe(0);
    expect((await cli("status", "--out", out)).stdout).toContain("Reference: none recorded");
    expect(records(join(out, "constituencies.csv"))[0]).toMatchObject({
      constituency_id: "แพร่_1",
      province_id: "",
      units_in_reference: "",
    });

    const enriched = await cli("report", "--out", out, "--reference", MINI_REFERENCE_DIR, "--no-pdf");
    expect(enriched.stderr).toBe("");
    expect(enriched.code).toBe(0);
    expect(enriched.stdout).toMatch(/11 stored result\(s\) brought up to it/);
    const expectEnriched = () => {
      const votes = records(join(out, "votes.csv"));
      expect(votes.find((v) => v["form_kind"] === "constituency" && v["row_number"] === "1")).toMatchObject({
        province_id: "PRE",
        reference_id: "PRE_1_1",
        name: "นางสาวทดสอบ หนึ่ง",
        party: "ภูมิใจไทย",
      });
      const constituencies = records(join(out, "constituencies.csv"));
      expect(constituencies[0]).toMatchObject({
        constituency_id: "PRE_1",
        province_id: "PRE",
        units_in_reference: "3",
        coverage: "1.0000",
      });
      expect(readFileSync(join(out, "summary.md"), "utf8")).toContain("- Reference: ECT snapshot");
    };
    expectEnriched();
    const store = SqliteStore.open(statePath(out));
    try {
      const first = store.getResult(fixtureBatch()[0]!.document.id);
      expect(first?.ok && first.value.location.provinceId).toBe("PRE");
    } finally {
      store.close();
    }

    const status = await cli("status", "--out", out);
    expect(status.stdout).toContain(`Reference: ${MINI_REFERENCE_DIR.replace(/\/$/, "")}`);

    // Later runs without --reference keep the recorded one: report, and a process resume.
    const again = await cli("report", "--out", out, "--no-pdf");
    expect(again.stdout).toContain("(recorded in this folder)");
    expectEnriched();
    const nothingNew = join(batch.root(), "empty-input");
    mkdirSync(nothingNew, { recursive: true });
    const resume = await cli("process", nothingNew, "--out", out, "--provider", "local", "--progress", "none", "--no-pdf");
    expect(resume.stderr).toContain("recorded in this folder");
    expect(resume.code).toBe(0);
    expectEnriched();
  });

  it("a recorded reference that no longer loads stops the run with exit 2 instead of dropping the names", async () => {
    const out = join(batch.root(), "gone");
    storeWithoutReference(out);
    const store = SqliteStore.open(statePath(out));
    store.setMeta("reference", JSON.stringify({ dir: join(batch.root(), "deleted-snapshot"), snapshotAt: null }));
    store.close();
    const report = await cli("report", "--out", out, "--no-pdf");
    expect(report.code).toBe(2);
    expect(report.stderr).toMatch(/no longer loads.*give --reference DIR/);
  });
});
