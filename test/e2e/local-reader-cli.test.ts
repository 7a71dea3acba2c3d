import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSynthBatch } from "../../src/synth/generate.js";
import { type FakeProvider, startFakeProvider } from "../support/fake-provider.js";
import { readTruthBySha, resultLines, runCli } from "./support/cli-run.js";

/**
 * `process --provider local | cascade` end to end through the built CLI, offline. The inputs mix
 * generator forms (handwriting fonts; the local reader may doubt them) with cleanly printed pages
 * it can verify, so the cascade has both kinds to route.
 */
const NO_KEYS = { BALLOT_OCR_API_KEY: "", OPENROUTER_API_KEY: "", BALLOT_OCR_PROVIDER: "", BALLOT_OCR_BASE_URL: "" };
const GENERATED = 3;
const PRINTED = 3;
let root: string;
let inputs: string;
let forms: string;
let server: FakeProvider | null = null;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "local-reader-cli-"));
  inputs = join(root, "inputs");
  forms = join(inputs, "forms");
  await generateSynthBatch({ outDir: forms, count: GENERATED, kind: "constituency", seed: 23, format: "pdf", noise: "none", errorRate: 0 });
  for (let i = 0; i < PRINTED; i++) {
    const dir = join(inputs, `printed-${i + 1}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "form.jpg"), await printedPage(i));
  }
}, 120_000);

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe("ballot-ocr process with the local reader", () => {
  it("--provider local needs no key and no network, and gives every document a result", async () => {
    const out = join(root, "local");
    const run = await runCli(["process", inputs, "--out", out, "--provider", "local", "--progress", "none"], NO_KEYS).done;
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(0);
    const results = resultLines(out);
    expect(results).toHaveLength(GENERATED + PRINTED);
    expect(results.every((r) => r.status === "verified" || r.status === "needs_review")).toBe(true);
    // The printed pages sum up, so the local reader verifies them; nothing counts as a request.
    expect(results.filter((r) => r.status === "verified").length).toBeGreaterThanOrEqual(PRINTED);
    expect(run.stdout).toMatch(/Requests this run: 0 .*cost \$0\.0000/);
  }, 30_000);

  it("is the default with no key, no provider and no base URL, and says so", async () => {
    const out = join(root, "default");
    const run = await runCli(["process", join(inputs, "printed-1"), "--out", out, "--progress", "none"], NO_KEYS).done;
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/reading offline with the local CPU reader.*vision model/);
    expect(resultLines(out)).toHaveLength(1);
  }, 20_000);

  it("cascade: documents verified locally send no request, the rest go to the model", async () => {
    server = await startFakeProvider({ truth: readTruthBySha(forms), latencyMs: 20 });
    const out = join(root, "cascade");
    const run = await runCli([
      "process",
      inputs,
      "--out",
      out,
      "--provider",
      "cascade",
      "--base-url",
      server.baseUrl,
      "--model",
      "fake-vision-model",
      "--progress",
      "none",
    ]).done;
    expect(run.code).toBe(0);
    const results = resultLines(out);
    expect(results).toHaveLength(GENERATED + PRINTED);
    const byDocument = server.stats().byDocument;
    const local = results.filter((r) => r.provenance.model === "local-digits-v1");
    const remote = results.filter((r) => r.provenance.model !== "local-digits-v1");
    expect(local.length).toBeGreaterThanOrEqual(PRINTED);
    for (const r of local) {
      expect(r.status).toBe("verified");
      expect(byDocument.get(r.document.id)?.requests ?? 0).toBe(0);
    }
    for (const r of remote) expect(byDocument.get(r.document.id)?.requests ?? 0).toBeGreaterThanOrEqual(1);
    const saved = local.length / results.length;
    console.log(
      `cascade: ${local.length} of ${results.length} documents verified locally; ${server.stats().totalRequests} requests sent; first-read requests saved: ${(saved * 100).toFixed(0)}%`,
    );
  }, 30_000);
});

/** A cleanly printed constituency count page with consistent sums (rows = good = total line; good + bad + no-vote = received). */
async function printedPage(variant: number): Promise<Buffer> {
  const rows = [108 + variant, 54, 15 + variant * 3, 424, 8, 5];
  const good = rows.reduce((s, n) => s + n, 0);
  const bad = 7 + variant;
  const novote = 36;
  const W = 1240;
  const H = 1754;
  const parts: string[] = [`<rect width="${W}" height="${H}" fill="#fff"/>`];
  const dots = (x0: number, x1: number, y: number) => {
    for (let x = x0; x <= x1; x += 6) parts.push(`<rect x="${x}" y="${y}" width="2.4" height="2.4" fill="#000"/>`);
  };
  const digits = (text: string | null, x: number, y: number) => {
    if (text) parts.push(`<text x="${x}" y="${y}" font-family="DejaVu Sans" font-size="30" fill="#123">${text}</text>`);
  };
  const paren = (x: number, bottom: number) =>
    parts.push(
      `<path d="M ${x + 6} ${bottom - 26} Q ${x - 4} ${bottom - 13} ${x + 6} ${bottom}" stroke="#000" stroke-width="2.5" fill="none"/>`,
    );
  const line = (y: number, x0: number, x1: number) =>
    parts.push(`<rect x="${x0}" y="${y - 1}" width="${x1 - x0}" height="2.5" fill="#000"/>`);
  const totalLine = (y: number, x0: number, value: number, withWords: boolean) => {
    dots(x0, x0 + 110, y);
    digits(String(value), x0 + 20, y - 6);
    if (withWords) {
      dots(x0 + 190, x0 + 500, y);
      paren(x0 + 175, y + 3);
    }
  };
  totalLine(640, 480, good + bad + novote, false);
  totalLine(760, 560, good, true);
  totalLine(802, 560, bad, true);
  totalLine(844, 560, novote, true);
  const top = 920;
  const header = 80;
  const pitch = 50;
  const cols = [100, 280, 560, 740, 1140] as const;
  const dataRows = 11;
  const bottom = top + header + pitch * dataRows;
  line(top, cols[0], cols[4]);
  line(top + header, cols[0], cols[4]);
  for (let i = 0; i < dataRows; i++) {
    const rowBottom = top + header + pitch * (i + 1);
    line(rowBottom, cols[0], cols[4]);
    const isTotal = i === dataRows - 1;
    if (!isTotal) {
      dots(cols[3] + 10, cols[3] + 100, rowBottom - 9);
      paren(cols[3] + 104, rowBottom - 6);
      dots(cols[3] + 120, cols[4] - 20, rowBottom - 9);
    }
    const value = isTotal ? good : rows[i];
    digits(value === undefined ? null : String(value), cols[3] + 25, rowBottom - 13);
  }
  for (const [k, x] of cols.entries()) {
    const end = k === 1 || k === 2 ? bottom - pitch : bottom;
    parts.push(`<rect x="${x - 1}" y="${top}" width="2.5" height="${end - top}" fill="#000"/>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${parts.join("")}</svg>`;
  return sharp(Buffer.from(svg)).flatten({ background: "#fff" }).grayscale().jpeg({ quality: 85 }).toBuffer();
}
