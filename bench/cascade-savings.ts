/**
 * What the cascade saves: generator forms are processed twice through the built CLI against the
 * fake OpenAI-compatible server answering from the truth, once with the vision model only and
 * once with --provider cascade. Reports the requests each run sent, the share of documents the
 * local reader verified without a request, and whether any result differs from its truth.
 *
 *   npm run bench:cascade -- [--count 40] [--seed 5] [--noise scan]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { FormResult } from "../src/forms/form-result.js";
import { LOCAL_MODEL_NAME } from "../src/local/local-provider.js";
import type { NoiseLevel } from "../src/synth/degrade.js";
import { startFakeProvider } from "../test/support/fake-provider.js";
import { fakeProcessArgs, resultLines, runCli } from "../test/e2e/support/cli-run.js";
import { generateMixedForms } from "./support/generator-forms.js";

/**
 * The counted values of a result, for comparing with its truth: the rows the truth has (a
 * printed row beyond the last candidate must be empty) and the totals the checks rest on.
 */
function counts(result: FormResult, rows: readonly number[]): string {
  const totals = Object.entries(result.totals)
    .filter(([key]) => ["good", "bad", "noVote", "voteTotal", "ballotsUsed"].includes(key))
    .map(([key, cell]) => `${key}=${cell?.value ?? "-"}`);
  const extraFilled = result.votes.some((v) => !rows.includes(v.number) && (v.value ?? 0) !== 0);
  const votes = rows.map((n) => `${n}=${result.votes.find((v) => v.number === n)?.value ?? "-"}`);
  return [...votes, ...totals, extraFilled ? "extra rows filled" : ""].join(" ");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: "string", default: "40" },
      seed: { type: "string", default: "5" },
      noise: { type: "string", default: "scan" },
    },
  });
  const dir = await mkdtemp(path.join(tmpdir(), "cascade-savings-"));
  try {
    const forms = path.join(dir, "forms");
    const count = Number(values.count);
    const truth = await generateMixedForms(forms, { count, seed: Number(values.seed), noise: values.noise as NoiseLevel });
    const runs: Record<string, { requests: number; results: FormResult[]; seconds: number }> = {};
    for (const provider of ["remote", "cascade"] as const) {
      const server = await startFakeProvider({ truth, latencyMs: 20 });
      const out = path.join(dir, `out-${provider}`);
      const started = Date.now();
      const args = fakeProcessArgs(forms, out, server.baseUrl, "--progress", "none");
      const run = await runCli(provider === "cascade" ? [...args, "--provider", "cascade"] : args).done;
      if (run.code !== 0) throw new Error(`${provider} run exited ${run.code}: ${run.stderr.slice(-500)}`);
      runs[provider] = { requests: server.stats().totalRequests, results: resultLines(out), seconds: (Date.now() - started) / 1000 };
      await server.close();
    }
    const cascade = runs["cascade"]!;
    const remote = runs["remote"]!;
    const local = cascade.results.filter((r) => r.provenance.model === LOCAL_MODEL_NAME);
    const rowsOf = (r: FormResult): number[] => truth.get(r.document.id)?.votes.map((v) => v.number) ?? [];
    const wrong = cascade.results.filter((r) => {
      const expected = truth.get(r.document.id);
      return !expected || counts(expected, rowsOf(r)) !== counts(r, rowsOf(r));
    });
    const wrongLocal = wrong.filter((r) => r.provenance.model === LOCAL_MODEL_NAME);
    for (const r of wrong)
      console.log(
        r.status,
        r.provenance.model,
        r.reasons.join("; "),
        "\n  got   ",
        counts(r, rowsOf(r)),
        "\n  truth ",
        counts(truth.get(r.document.id)!, rowsOf(r)),
      );
    const pct = (a: number, b: number): string => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;
    console.log(`documents                      ${count} generator forms, noise ${values.noise}, seed ${values.seed}`);
    console.log(`vision model only              ${remote.requests} requests, ${remote.seconds.toFixed(0)} s`);
    console.log(`cascade                        ${cascade.requests} requests, ${cascade.seconds.toFixed(0)} s`);
    console.log(`verified locally (no request)  ${pct(local.length, cascade.results.length)} (${local.length}/${cascade.results.length})`);
    console.log(`requests saved                 ${pct(remote.requests - cascade.requests, remote.requests)}`);
    console.log(
      `verified in the cascade run    ${cascade.results.filter((r) => r.status === "verified").length}/${cascade.results.length}`,
    );
    console.log(`results differing from truth   ${wrong.length} (of them answered locally: ${wrongLocal.length})`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
