import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import type { ExtractionOutcome, ExtractionRequest, Provider } from "../../../src/providers/provider.js";
import type { SynthTruthLine } from "../../../src/synth/generate.js";
import { generate518Pages, readingRequest } from "../../support/local-fixtures.js";
import { createCascadeProvider } from "../../../src/local/cascade-provider.js";
import { decideLocal } from "../../../src/local/decide.js";
import { analyzePage } from "../../../src/local/layout/page-layout.js";
import { createLocalProvider } from "../../../src/local/local-provider.js";
import { readDocument } from "../../../src/local/local-reader.js";
import { loadDigitClassifier } from "../../../src/local/recognize/digit-classifier.js";

/** A synthetic constituency page 1: totals lines, a ruled table, dotted baselines, brackets, digits. */
interface SyntheticForm {
  readonly rows: readonly (string | null)[];
  readonly good: string;
  readonly bad: string;
  readonly novote: string;
  readonly received: string;
  readonly totalLine: string;
  /** Degrees of rotation applied to the whole page (a skewed scan). */
  readonly skew?: number;
  /** Draw the sheet's edges as a photo shows them: long dark lines beside the table. */
  readonly sheetEdges?: boolean;
}

const W = 1240;
const H = 1754;

function dots(x0: number, x1: number, y: number): string {
  let out = "";
  for (let x = x0; x <= x1; x += 6) out += `<rect x="${x}" y="${y}" width="2.4" height="2.4" fill="#000"/>`;
  return out;
}

function digits(text: string | null, x: number, baseline: number): string {
  if (!text) return "";
  return `<text x="${x}" y="${baseline}" font-family="DejaVu Sans" font-size="30" fill="#123">${text}</text>`;
}

function paren(x: number, bottom: number): string {
  return `<path d="M ${x + 6} ${bottom - 26} Q ${x - 4} ${bottom - 13} ${x + 6} ${bottom}" stroke="#000" stroke-width="2.5" fill="none"/>`;
}

async function renderConstituencyPage(form: SyntheticForm): Promise<Buffer> {
  const parts: string[] = [`<rect width="${W}" height="${H}" fill="#fff"/>`];
  // Totals: received (one segment), then good / bad / no-vote (number segment + words segment).
  const totalLine = (y: number, x0: number, value: string, withWords: boolean): void => {
    parts.push(dots(x0, x0 + 110, y), digits(value, x0 + 20, y - 6));
    if (withWords) parts.push(dots(x0 + 190, x0 + 500, y), paren(x0 + 175, y + 3));
  };
  totalLine(640, 480, form.received, false);
  totalLine(760, 560, form.good, true);
  totalLine(802, 560, form.bad, true);
  totalLine(844, 560, form.novote, true);
  const top = 920;
  const header = 80;
  const pitch = 50;
  const cols = [100, 280, 560, 740, 1140];
  const dataRows = 11;
  const bottom = top + header + pitch * dataRows;
  const lineAt = (y: number, x0: number, x1: number): string =>
    `<rect x="${x0}" y="${y - 1}" width="${x1 - x0}" height="2.5" fill="#000"/>`;
  parts.push(lineAt(top, cols[0]!, cols[4]!), lineAt(top + header, cols[0]!, cols[4]!));
  for (let i = 0; i < dataRows; i++) {
    const rowBottom = top + header + pitch * (i + 1);
    parts.push(lineAt(rowBottom, cols[0]!, cols[4]!));
    const isTotal = i === dataRows - 1;
    if (!isTotal) parts.push(dots(cols[3]! + 10, cols[3]! + 100, rowBottom - 9), paren(cols[3]! + 104, rowBottom - 6));
    if (!isTotal) parts.push(dots(cols[3]! + 120, cols[4]! - 20, rowBottom - 9));
    parts.push(digits(isTotal ? form.totalLine : (form.rows[i] ?? null), cols[3]! + 25, rowBottom - 13));
  }
  for (const [k, x] of cols.entries()) {
    // The total line's row is one merged cell left of the votes.
    const end = k === 1 || k === 2 ? bottom - pitch : bottom;
    parts.push(`<rect x="${x - 1}" y="${top}" width="2.5" height="${end - top}" fill="#000"/>`);
  }
  if (form.sheetEdges) {
    for (const x of [62, W - 62]) parts.push(`<rect x="${x}" y="40" width="6" height="${H - 80}" fill="#222"/>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${parts.join("")}</svg>`;
  let image = sharp(Buffer.from(svg)).flatten({ background: "#fff" });
  if (form.skew) image = sharp(await image.png().toBuffer()).rotate(form.skew, { background: "#fff" });
  return image.grayscale().jpeg({ quality: 85 }).toBuffer();
}

const FORM: SyntheticForm = {
  rows: ["108", "54", "15", "424", "8", "5", null, null, null, null],
  good: "614",
  bad: "7",
  novote: "36",
  received: "657",
  totalLine: "614",
};

describe("local reader on a synthetic constituency page", () => {
  it("finds the table, every vote row, the total line and the ballot totals", async () => {
    const layout = await analyzePage(await renderConstituencyPage(FORM), 1);
    expect(layout.ok).toBe(true);
    if (!layout.ok) return;
    expect(layout.value.role).toBe("constituency_1");
    const keys = layout.value.cells.map((c) => c.key);
    for (let row = 1; row <= 10; row++) expect(keys).toContain(`row:${row}`);
    expect(keys).toEqual(expect.arrayContaining(["voteTotal", "good", "bad", "noVote", "ballotsReceived"]));
  });

  it("finds the table of a photo that shows the sheet's edges and is tilted 4.5 degrees", async () => {
    const layout = await analyzePage(await renderConstituencyPage({ ...FORM, skew: 4.5, sheetEdges: true }), 1);
    expect(layout.ok && layout.value.role).toBe("constituency_1");
    expect(layout.ok && layout.value.cells.filter((c) => c.key.startsWith("row:")).length).toBe(10);
  });

  it("levels a skewed scan before looking for rules", async () => {
    const layout = await analyzePage(await renderConstituencyPage({ ...FORM, skew: 1.2 }), 1);
    expect(layout.ok && layout.value.role).toBe("constituency_1");
    expect(layout.ok && Math.abs(layout.value.skewDegrees)).toBeGreaterThan(0.8);
  });

  it("never verifies a wrong reading: verified forms match what was written", async () => {
    const classifier = await loadDigitClassifier();
    const forms: SyntheticForm[] = [
      FORM,
      // Inconsistent on paper: the sums cannot hold, so it must not be verified.
      { ...FORM, good: "615" },
    ];
    const verdicts: boolean[] = [];
    for (const form of forms) {
      const read = await readDocument([{ page: 1, data: await renderConstituencyPage(form) }], classifier);
      const decision = decideLocal(read);
      verdicts.push(decision.verified);
      if (decision.verified) {
        form.rows.forEach((digits, i) => {
          expect(read.cells.get(`row:${i + 1}`)?.value).toBe(digits ? Number(digits) : 0);
        });
        expect(read.cells.get("good")?.value).toBe(Number(form.good));
        expect(read.cells.get("ballotsReceived")?.value).toBe(Number(form.received));
      }
    }
    // Clean printed digits are read and verified; the inconsistent sheet is refused.
    expect(verdicts).toEqual([true, false]);
  });

  it("in a cascade, only the document the local reader cannot verify reaches the remote model", async () => {
    const calls: string[] = [];
    const remote: Provider = {
      name: "fake",
      model: "fake-vision",
      metered: true,
      async extract<T>(req: ExtractionRequest<T>): Promise<ExtractionOutcome<T>> {
        calls.push(req.documentId);
        return { kind: "transient", message: "fake remote" };
      },
    };
    const cascade = createCascadeProvider(createLocalProvider(), remote);
    const signal = new AbortController().signal;
    for (const [id, form] of [
      ["consistent", FORM],
      ["inconsistent", { ...FORM, good: "615" }],
    ] as const) {
      const page = await renderConstituencyPage(form);
      await cascade.extract(readingRequest(id, [page]), { signal });
    }
    expect(calls).toEqual(["inconsistent"]);
    expect(cascade.stats()).toEqual({ local: 1, remote: 1 });
  });

  it("answers through the provider seam in the model-reply shape, offline and unmetered", async () => {
    const provider = createLocalProvider();
    expect(provider.metered).toBe(false);
    const outcome = await provider.extract(readingRequest("synthetic", [await renderConstituencyPage(FORM)]), {
      signal: new AbortController().signal,
    });
    expect(outcome.kind).toBe("ok");
    if (outcome.kind !== "ok") return;
    expect(outcome.reply.header.formKind).toBe("constituency");
    expect(outcome.reply.rows.map((r) => r.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Every cell is either read or marked "?" (never silently dropped).
    for (const row of outcome.reply.rows) expect(row.digits === null || /^(\d+|-|\?)$/.test(row.digits)).toBe(true);
  });

  it("finds the 5/18 totals block (received, used, good, bad, no-vote, remaining) on a generator page", async () => {
    const dir = mkdtempSync(join(tmpdir(), "local-5-18-"));
    try {
      const [line] = (await generate518Pages(dir)) as [SynthTruthLine];
      const page = readFileSync(join(dir, line.path));
      const layout = await analyzePage(page, 1);
      expect(layout.ok && layout.value.role).toBe("constituency_1");
      const keys = layout.ok ? layout.value.cells.map((c) => c.key).filter((k) => !k.startsWith("row:")) : [];
      expect(keys.sort()).toEqual(["bad", "ballotsReceived", "ballotsRemaining", "ballotsUsed", "good", "noVote", "voteTotal"]);
      const read = await readDocument([{ page: 1, data: page }], await loadDigitClassifier());
      const totals = line.truth.totals;
      const expected = {
        ballotsReceived: totals.ballotsReceived,
        ballotsUsed: totals.ballotsUsed,
        good: totals.good,
        bad: totals.bad,
        noVote: totals.noVote,
      };
      for (const [key, cell] of Object.entries(expected)) {
        const got = read.cells.get(key as "good");
        // Whatever is read with confidence is what was written.
        if (got && got.value !== null && got.confidence >= 0.9) expect(got.value).toBe(cell?.value);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stops the batch, not just one document, when the model file is missing", async () => {
    const provider = createLocalProvider({ modelPath: join(tmpdir(), "no-such-model.onnx"), threads: 1 });
    const outcome = await provider.extract(readingRequest("x", []), { signal: new AbortController().signal });
    expect(outcome).toMatchObject({ kind: "fatal", scope: "batch" });
  });

  it("reports a page without a table instead of guessing", async () => {
    const blank = await sharp({ create: { width: 1240, height: 1754, channels: 3, background: "#fff" } })
      .jpeg()
      .toBuffer();
    const classifier = await loadDigitClassifier();
    const read = await readDocument([{ page: 1, data: blank }], classifier);
    expect(read.pages[0]?.failure).toBe("no_table");
    expect(decideLocal(read).verified).toBe(false);
  });
});
