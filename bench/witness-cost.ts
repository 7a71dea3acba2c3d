/**
 * What each witness costs, per form: requests, bytes sent, CPU and the share verified, for
 *   1. the model alone (--no-witness);
 *   2. plus the offline reader as a witness (the default);
 *   3. plus crop re-asks of disputed cells;
 *   4. plus a second model on forms with a disputed or single-witness cell (--verify-with);
 *   5. plus a second model on every form (--verify-when always).
 * Generator forms, the real batch engine and standard pipeline, against two fake OpenAI-compatible
 * servers: the first model misreads a share of the forms (the fake's misreading modes), the
 * second reads every form correctly. Also counts silent errors (verified but a value wrong).
 * CPU is the whole process's (main and worker threads: preparation, the offline reader, crops).
 *
 *   npm run bench:witness-cost -- [--count 40] [--seed 3] [--misread 0.3] [--noise scan]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { runBatch } from "../src/batch/engine.js";
import { DEFAULT_RETRY_POLICY } from "../src/batch/retry-policy.js";
import { createStandardPipeline } from "../src/batch/standard-pipeline.js";
import { witnessSources } from "../src/local/witness-setup.js";
import type { FormResult } from "../src/forms/form-result.js";
import { resolveProviderConfig, resolveVerifierConfig } from "../src/providers/config.js";
import { createOpenAICompatibleProvider } from "../src/providers/openai-compatible.js";
import { MemoryStore } from "../src/storage/memory-store.js";
import type { NoiseLevel } from "../src/synth/degrade.js";
import { type FakeProvider, startFakeProvider } from "../test/support/fake-provider.js";
import { generateMixedForms } from "./support/generator-forms.js";
import { misreadingOptions } from "./support/misreading.js";

interface Setup {
  readonly name: string;
  readonly witness: boolean;
  readonly crops: boolean;
  readonly verify: "disputed" | "always" | null;
}

const SETUPS: readonly Setup[] = [
  { name: "model alone", witness: false, crops: false, verify: null },
  { name: "+ witness", witness: true, crops: false, verify: null },
  { name: "+ crop re-asks", witness: true, crops: true, verify: null },
  { name: "+ second model, disputed forms", witness: true, crops: true, verify: "disputed" },
  { name: "+ second model, every form", witness: true, crops: true, verify: "always" },
];

function valuesOf(result: FormResult): string {
  const totals = ["good", "bad", "noVote", "voteTotal", "ballotsUsed"].map((key) => result.totals[key as "good"]?.value ?? null);
  return JSON.stringify([result.votes.map((v) => [v.number, v.value ?? 0]), totals]);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: "string", default: "40" },
      seed: { type: "string", default: "3" },
      misread: { type: "string", default: "0.3" },
      noise: { type: "string", default: "scan" },
    },
  });
  const count = Number(values.count);
  const dir = await mkdtemp(path.join(tmpdir(), "witness-cost-"));
  try {
    const forms = path.join(dir, "forms");
    const truth = await generateMixedForms(forms, { count, seed: Number(values.seed), noise: values.noise as NoiseLevel });
    const rows: string[] = [];
    let pageBytes = 0;
    for (const setup of SETUPS) {
      const first = await startFakeProvider({
        truth,
        ...misreadingOptions(Number(values.misread), Number(values.seed)),
        seed: Number(values.seed),
      });
      const second = await startFakeProvider({ truth, seed: Number(values.seed) + 1 });
      const figures = await runSetup(setup, forms, first, second);
      const misread = new Set([...first.misreadings].flatMap(([id, applied]) => (applied ? [id] : [])));
      const results = figures.results;
      const verified = results.filter((r) => r.status === "verified");
      const silent = verified.filter((r) => {
        const expected = truth.get(r.document.id);
        return expected === undefined || valuesOf(expected) !== valuesOf(r);
      });
      const clean = results.filter((r) => !misread.has(r.document.id));
      const requests = first.requests.length + second.requests.length;
      const bytes = [...first.requests, ...second.requests].reduce((sum, r) => sum + r.bytes, 0);
      const crops = first.requests.filter((r) => r.crop);
      const cropBytes = crops.reduce((sum, r) => sum + r.bytes, 0);
      const reads = first.requests.filter((r) => r.purpose === "read" && !r.crop && r.images > 0);
      const perPage = reads.reduce((sum, r) => sum + r.bytes / r.images, 0) / Math.max(1, reads.length);
      pageBytes = Math.max(pageBytes, perPage);
      const per = (n: number) => (n / Math.max(1, results.length)).toFixed(2);
      const pct = (a: number, b: number) => `${((100 * a) / Math.max(1, b)).toFixed(0)}%`;
      rows.push(
        [
          setup.name.padEnd(32),
          per(requests).padStart(6),
          `${(bytes / Math.max(1, results.length) / 1024).toFixed(0)} KB`.padStart(9),
          `${(figures.cpuMs / Math.max(1, results.length) / 1000).toFixed(2)} s`.padStart(8),
          pct(verified.length, results.length).padStart(5),
          pct(clean.filter((r) => r.status === "verified").length, clean.length).padStart(7),
          String(silent.length).padStart(7),
          `${second.requests.length} reads`.padStart(10),
          crops.length > 0 ? `${crops.length} × ${(cropBytes / crops.length / 1024).toFixed(0)} KB` : "-",
        ].join(" | "),
      );
      await first.close();
      await second.close();
    }
    console.log(
      `${count} generator forms (mixed kinds, noise ${values.noise}, seed ${values.seed}); first model misreads ${values.misread} of forms; per form:`,
    );
    console.log(
      [
        "setup".padEnd(32),
        "reqs".padStart(6),
        "bytes".padStart(9),
        "CPU".padStart(8),
        "verif".padStart(5),
        "clean v".padStart(7),
        "silent".padStart(7),
        "2nd model".padStart(10),
        "crop re-asks",
      ].join(" | "),
    );
    for (const row of rows) console.log(row);
    console.log(
      `A whole-page re-ask sends about ${(pageBytes / 1024).toFixed(0)} KB per count page (the prepared page, as in the first read's request).`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runSetup(
  setup: Setup,
  forms: string,
  first: FakeProvider,
  second: FakeProvider,
): Promise<{ results: FormResult[]; cpuMs: number }> {
  const firstConfig = resolveProviderConfig({ provider: "vllm", baseUrl: first.baseUrl, model: "fake-vision-model", env: {} });
  if (!firstConfig.ok) throw new Error(firstConfig.error);
  const reader = createOpenAICompatibleProvider(firstConfig.value, { timeoutMs: 30_000 });
  const verifierConfig = setup.verify
    ? resolveVerifierConfig({ verifyWith: "vllm:second-fake-model", verifyBaseUrl: second.baseUrl, env: {} })
    : null;
  if (verifierConfig && !verifierConfig.ok) throw new Error(verifierConfig.error);
  const witnesses = witnessSources(reader, {
    localWitness: setup.witness,
    cropReask: setup.crops ? { source: "vllm:fake-vision-model" } : null,
    secondModel: setup.verify ? { when: setup.verify, source: "vllm:second-fake-model", requestMode: "document" } : null,
  });
  const pipeline = createStandardPipeline({
    requestMode: "document",
    reask: true,
    providerName: "vllm",
    model: "fake-vision-model",
    witnesses,
  });
  const results: FormResult[] = [];
  const store = new MemoryStore();
  const cpuBefore = process.cpuUsage();
  try {
    await runBatch(
      {
        inputs: [forms],
        limits: { rps: null, rpm: null, rpd: null },
        workers: 4,
        retry: DEFAULT_RETRY_POLICY,
        timeoutMs: 30_000,
        maxRequests: null,
        maxCostUsd: null,
        waitForQuota: false,
      },
      {
        store,
        pipeline,
        provider: reader,
        onResult: (result) => results.push(result),
        ...(verifierConfig?.ok
          ? {
              verifier: {
                provider: createOpenAICompatibleProvider(verifierConfig.value, { timeoutMs: 30_000 }),
                limits: verifierConfig.value.limits,
              },
            }
          : {}),
      },
      new AbortController().signal,
      () => undefined,
    );
  } finally {
    await pipeline.close();
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { results, cpuMs: (cpu.user + cpu.system) / 1000 };
}

await main();
