import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countedValue, type FormResult, TOTAL_KEYS } from "../../src/forms/form-result.js";
import { generateSynthBatch, type SynthTruthLine } from "../../src/synth/generate.js";
import { type FakeProvider, startFakeProvider } from "../support/fake-provider.js";
import { readTruth, resultLines, runCli } from "./support/cli-run.js";

/**
 * The whole reading path as a user runs it — discovery, page preparation in worker threads,
 * requests, assembly and checks — on generator forms of every kind, against the fake server
 * answering from the generator's truth: every result must equal the truth.
 */
let root: string;
const servers: FakeProvider[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "extraction-truth-"));
});

afterAll(async () => {
  for (const server of servers) await server.close();
  rmSync(root, { recursive: true, force: true });
});

/** What a reader must get right: the values that count, the form and the place. */
function essentials(result: FormResult) {
  return {
    formCode: result.formCode,
    formKind: result.formKind,
    province: result.location.province,
    constituency: result.location.constituency,
    unit: result.location.unit,
    setNumber: result.location.setNumber,
    totals: Object.fromEntries(TOTAL_KEYS.map((key) => [key, result.totals[key]?.value ?? null])),
    votes: result.votes.map((row) => [row.number, countedValue(row)]),
  };
}

/** The model's reading alone, accepted on the checks: this test is about reading, not witnesses. */
const MODEL_ALONE = ["--no-witness", "--accept-single-witness"];

async function processAgainstTruth(forms: string, out: string): Promise<{ results: FormResult[]; truth: SynthTruthLine[] }> {
  const truth = readTruth(forms);
  const server = await startFakeProvider({ truth: new Map(truth.map((line) => [line.sha256, line.truth])), latencyMs: 20 });
  servers.push(server);
  const run = await runCli([
    "process",
    forms,
    "--out",
    out,
    "--base-url",
    server.baseUrl,
    "--model",
    "fake-vision",
    "--progress",
    "none",
    ...MODEL_ALONE,
  ]).done;
  expect(run.stderr).not.toMatch(/internal error/);
  expect(run.code).toBe(0);
  return { results: resultLines(out), truth };
}

describe("extraction end to end against the generator's truth", () => {
  it.each([
    ["pdf", "scan"],
    ["png", "photo"],
  ] as const)("every %s document (noise %s) comes out equal to its truth and verified", async (format, noise) => {
    const forms = join(root, `forms-${format}`);
    await generateSynthBatch({ outDir: forms, count: 6, kind: "mixed", seed: 31, format, noise, errorRate: 0, dpi: 72 });
    const { results, truth } = await processAgainstTruth(forms, join(root, `out-${format}`));
    expect(results).toHaveLength(truth.length);
    const byId = new Map(results.map((result) => [result.document.id, result]));
    for (const line of truth) {
      const result = byId.get(line.sha256);
      expect(result, line.path).toBeDefined();
      expect(result?.status, `${line.path}: ${result?.reasons.join("; ")}`).toBe("verified");
      expect(essentials(result as FormResult)).toEqual(essentials(line.truth));
    }
  });
});
