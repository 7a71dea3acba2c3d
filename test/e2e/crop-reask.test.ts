import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FormResult } from "../../src/forms/form-result.js";
import { generate518Pages } from "../support/local-fixtures.js";
import { startFakeProvider } from "../support/fake-provider.js";
import { modelReplyFromTruth, reaskReplyFromTruth } from "../support/model-reply-from-truth.js";
import { fakeProcessArgs, readTruth, resultLines, runCli } from "./support/cli-run.js";

/**
 * Crop re-asks end to end: the first model reads one form with two rows' values exchanged (the
 * sums still hold). The offline reader disputes those rows; each disputed cell is asked again in a
 * fresh request showing only a crop of its line, and the crop re-read (the row fixed by the
 * layout) is recorded as a "crop" witness.
 */
describe("crop re-asks of disputed cells", () => {
  let root = "";
  const forms = () => join(root, "forms");

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "crop-reask-"));
    await generate518Pages(forms(), 2);
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("asks each disputed cell again with a crop of its row, much smaller than the page, and records the crop witness", async () => {
    const truthLines = readTruth(forms());
    const truth = new Map(truthLines.map((line) => [line.sha256, line.truth]));
    const target = truthLines[0]!.truth;
    const [a, b] = target.votes.filter((v) => (v.value ?? 0) > 0 && v.digits !== null).sort((x, y) => (y.value ?? 0) - (x.value ?? 0));
    if (!a || !b || a.value === b.value) throw new Error("the generator form needs two rows with different votes");
    const swapped: FormResult = {
      ...target,
      votes: target.votes.map((v) =>
        v.number === a.number
          ? { ...b, number: a.number, page: a.page }
          : v.number === b.number
            ? { ...a, number: b.number, page: b.page }
            : v,
      ),
    };
    const fake = await startFakeProvider({
      truth,
      answer: (request) => {
        if (request.documentId !== target.document.id) return undefined;
        // The crop fixes the row: read truly. Every other read of this form has the rows exchanged.
        if (request.crop) return reaskReplyFromTruth(target, request.rows, request.totals);
        return request.purpose === "reask"
          ? reaskReplyFromTruth(swapped, request.rows, request.totals)
          : modelReplyFromTruth(swapped, { page: request.page });
      },
    });
    try {
      const out = join(root, "out");
      const args = fakeProcessArgs(forms(), out, fake.baseUrl, "--progress", "none");
      const run = await runCli(args).done;
      expect(run.stderr).not.toMatch(/internal error/);
      expect(run.code).toBe(0);
      const crops = fake.requests.filter((r) => r.crop);
      expect(crops.flatMap((r) => r.rows)).toEqual(expect.arrayContaining([a.number, b.number]));
      expect(crops.every((r) => r.documentId === target.document.id)).toBe(true);
      const pageRead = fake.requests.find((r) => r.documentId === target.document.id && r.purpose === "read" && !r.crop)!;
      for (const crop of crops) expect(crop.bytes).toBeLessThan(pageRead.bytes / 3);

      const result = resultLines(out).find((r) => r.document.id === target.document.id)!;
      expect(result.status).not.toBe("verified");
      for (const row of [a, b]) {
        const cell = result.votes.find((v) => v.number === row.number)!;
        expect(cell.witnesses).toEqual(expect.arrayContaining([expect.objectContaining({ kind: "crop", value: row.value })]));
        expect(cell.verdict).toBe("disputed");
      }
      // The other form was read alike by the model and the offline reader: no crop re-ask for it.
      expect(fake.requests.filter((r) => r.documentId !== target.document.id && r.crop)).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });
});
