/**
 * Independent witnesses on the project's own generator forms: the fake model misreads a share of
 * the forms in each realistic way (row shift, swap, recount with totals adjusted, dropped row,
 * hallucinated total), stickily, and the offline reader reads every page as the witness.
 * Reports, per scenario: silent errors (verified but wrong), misread forms verified, and the share
 * of clean forms still verified with the witness on and off.
 *
 *   npm run bench:witness -- [--count 200] [--seed 7] [--share 0.3] [--noise scan] [--verify-with fake]
 *
 * --verify-with fake adds setups with a second fake model that reads correctly (--verify-when disputed).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { NOISE_LEVELS, type NoiseLevel } from "../src/synth/degrade.js";
import { MISREADING_MODES, type MisreadingMode } from "../test/support/misreadings.js";
import { generateMixedForms } from "./support/generator-forms.js";
import { createScoreTable, offlineWitness, prepareDocuments, type Scenario, type Setup } from "./support/witness-run.js";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "200" },
    seed: { type: "string", default: "7" },
    share: { type: "string", default: "0.3" },
    noise: { type: "string", default: "scan" },
    dpi: { type: "string", default: "150" },
    "verify-with": { type: "string" },
  },
});
const count = Number(values.count);
const seed = Number(values.seed);
const share = Number(values.share);
const noise = values.noise as NoiseLevel;
if (!NOISE_LEVELS.includes(noise)) throw new Error(`--noise must be one of ${NOISE_LEVELS.join(", ")}`);
const verifyWith = values["verify-with"];
if (verifyWith !== undefined && verifyWith !== "fake")
  throw new Error('--verify-with: only "fake" (a second fake model that reads correctly) here');

const dir = await mkdtemp(path.join(tmpdir(), "witness-bench-"));
try {
  const started = Date.now();
  const bySha = await generateMixedForms(dir, { count, seed, noise, dpi: Number(values.dpi) });
  const documents = await prepareDocuments([dir], (doc) => bySha.get(doc.id) ?? null);
  console.log(`${documents.length} generator forms (${noise}, ${values.dpi} dpi) ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  const local = offlineWitness();
  const setups: Setup[] = [
    { name: "witness on", witnesses: () => [local] },
    { name: "witness on, --accept-single-witness", witnesses: () => [local], acceptSingleWitness: true },
    { name: "witness off", witnesses: () => [] },
    { name: "witness off, --accept-single-witness", witnesses: () => [], acceptSingleWitness: true },
    ...(verifyWith
      ? [
          { name: "witness on + second model", witnesses: () => [local], secondModel: "disputed" as const },
          { name: "witness off + second model", witnesses: () => [], secondModel: "disputed" as const },
        ]
      : []),
  ];
  const each = (mode: MisreadingMode): Scenario => ({ name: `${mode} at ${share * 100}%`, shares: { [mode]: share } });
  // Mixed: the same share of forms misread overall, spread evenly over the modes.
  const mixedShare = share / MISREADING_MODES.length;
  const scenarios: Scenario[] = [
    { name: "clean", shares: {} },
    ...MISREADING_MODES.map(each),
    {
      name: `all mixed (${(mixedShare * 100).toFixed(0)}% each, ${(share * 100).toFixed(0)}% in all)`,
      shares: Object.fromEntries(MISREADING_MODES.map((m) => [m, mixedShare])),
    },
  ];

  const table = createScoreTable(local);
  for (const scenario of scenarios) {
    for (const setup of setups) await table.run(documents, scenario, setup, seed);
  }
  table.print();
} finally {
  await rm(dir, { recursive: true, force: true });
}
