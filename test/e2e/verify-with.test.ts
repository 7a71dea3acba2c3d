import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resultLines, runCli } from "./support/cli-run.js";
import { useSynthBatch } from "./support/synth-batch.js";

/**
 * `process --verify-with PRESET[:MODEL]` end to end: the first model is one fake server, the
 * second model another, each with its own key; the first misreads one digit of some forms, the
 * second reads every form correctly.
 */
const COUNT = 6;
const FIRST_KEY = "sk-first-model-key-0123456789";
const SECOND_KEY = "sk-second-model-key-0123456789";
const batch = useSynthBatch("verify-with", COUNT);
const ENV = { BALLOT_OCR_API_KEY: FIRST_KEY, BALLOT_OCR_VERIFY_API_KEY: SECOND_KEY, OPENAI_API_KEY: "", OPENROUTER_API_KEY: "" };

/** The first model exchanges two rows' values in about `share` of the forms, on every read (the sums still hold). */
async function servers(share: number) {
  const first = await batch.fakeServer({ apiKey: FIRST_KEY, misreadings: { shares: { rows_swapped: share }, seed: 5 } });
  const second = await batch.fakeServer({ apiKey: SECOND_KEY, costPerRequestUsd: 0.001 });
  return { first, second };
}

const verifyArgs = (baseUrl: string, ...extra: string[]) => ["--verify-with", "vllm:second-model", "--verify-base-url", baseUrl, ...extra];

describe("process --verify-with", () => {
  it("reads every form independently with the second model, each key at its own host, and verifies no misread form", async () => {
    const { first, second } = await servers(0.5);
    const out = join(batch.root(), "always");
    // Without the offline witness, so that the second model is the only other reader.
    const run = await runCli(
      [...batch.processArgs(first, out, "--no-witness"), ...verifyArgs(second.baseUrl, "--verify-when", "always")],
      ENV,
    ).done;
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /second model: vllm at http:\/\/127\.0\.0\.1:\d+\/v1, model second-model \(key from BALLOT_OCR_VERIFY_API_KEY\)/,
    );
    expect(run.stdout).toMatch(new RegExp(`Second model: ${COUNT} requests, cost \\$0\\.0060 \\(included in the run's requests`));
    // Each provider got only its own key; the second model was asked once per form, with the read prompt only.
    expect(first.requests.every((r) => r.authorization === `Bearer ${FIRST_KEY}`)).toBe(true);
    expect(second.requests.every((r) => r.authorization === `Bearer ${SECOND_KEY}`)).toBe(true);
    expect(second.requests.map((r) => r.purpose)).toEqual(Array(COUNT).fill("read"));
    expect(second.requests.every((r) => r.model === "second-model")).toBe(true);

    const results = resultLines(out);
    expect(results).toHaveLength(COUNT);
    const misread = new Set([...first.misreadings].flatMap(([id, applied]) => (applied ? [id] : [])));
    expect(misread.size).toBeGreaterThan(0);
    expect(misread.size).toBeLessThan(COUNT);
    for (const result of results) {
      const witnesses = result.votes.flatMap((row) => row.witnesses ?? []);
      expect(witnesses.some((w) => w.kind === "second_model" && w.source === "vllm:second-model")).toBe(true);
      if (misread.has(result.document.id)) expect(result.status).not.toBe("verified");
    }
    // Forms both models read alike are agreed cell by cell and verified.
    const clean = results.filter((r) => !misread.has(r.document.id));
    expect(clean.every((r) => r.status === "verified" && r.assurance === "witnesses")).toBe(true);
  });

  it("with --verify-when disputed, reads only forms with a disputed or single-witness cell", async () => {
    const { first, second } = await servers(0);
    const out = join(batch.root(), "disputed");
    const run = await runCli([...batch.processArgs(first, out), ...verifyArgs(second.baseUrl)], ENV).done;
    expect(run.code).toBe(0);
    const results = resultLines(out);
    const secondRead = new Set(second.requests.map((r) => r.documentId));
    for (const result of results) {
      const read = result.votes.some((row) => row.witnesses?.some((w) => w.kind === "second_model"));
      expect(read).toBe(secondRead.has(result.document.id));
    }
    expect(second.requests.length).toBeLessThanOrEqual(COUNT);
  });

  it("counts both models against --max-requests and stops with exit 3", async () => {
    const { first, second } = await servers(0);
    const out = join(batch.root(), "budget");
    const run = await runCli(
      [...batch.processArgs(first, out, "--workers", "1", "--max-requests", "3"), ...verifyArgs(second.baseUrl, "--verify-when", "always")],
      ENV,
    ).done;
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/request budget \(--max-requests 3\) is reached/);
    // Both models' requests count: the second model's read of the first form is one of the three.
    expect(second.stats().totalRequests).toBeGreaterThanOrEqual(1);
    expect(first.stats().totalRequests + second.stats().totalRequests).toBeLessThanOrEqual(3);
    expect(first.stats().totalRequests).toBeLessThan(3);
  });

  it("--dry-run shows both models' requests and estimates, and sends nothing", async () => {
    const { first, second } = await servers(0);
    const out = join(batch.root(), "dry");
    const run = await runCli([...batch.processArgs(first, out, "--dry-run"), ...verifyArgs(second.baseUrl, "--verify-when", "always")], ENV)
      .done;
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`Requests: ${COUNT} first reads`));
    expect(run.stdout).toMatch(new RegExp(`Second model: vllm at .*\\n  Requests: ${COUNT} reads \\(every form\\)`));
    expect(run.stdout).toMatch(/--max-requests and --max-cost count both/);
    expect(first.stats().totalRequests + second.stats().totalRequests).toBe(0);
  });

  it("refuses a second model's flags without --verify-with, and a second model without its key", async () => {
    const { first, second } = await servers(0);
    const noWith = await runCli([...batch.processArgs(first, join(batch.root(), "x1")), "--verify-when", "always"], ENV).done;
    expect(noWith.code).toBe(2);
    expect(noWith.stderr).toMatch(/--verify-when needs --verify-with/);
    const noKey = await runCli(
      [...batch.processArgs(first, join(batch.root(), "x2")), "--verify-with", "openai", "--verify-base-url", second.baseUrl],
      { ...ENV, BALLOT_OCR_VERIFY_API_KEY: "", OPENAI_API_KEY: "sk-openai-not-for-this-host" },
    ).done;
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/set BALLOT_OCR_VERIFY_API_KEY/);
    expect(second.stats().totalRequests).toBe(0);
  });
});
