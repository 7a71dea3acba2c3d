/**
 * Independent witnesses on the real development scans (../shared/samples): a fake model answers
 * from the hand-made truth (truth.json), once clean and once in each misreading mode (every form
 * misread), with the offline reader as the only witness. Reports misread forms verified (must be
 * 0), the share of clean forms verified and of cells agreed, and whether every row-alignment
 * finding names the misplaced rows.
 *
 *   npm run bench:witness-real -- [--samples ../shared/samples]
 */
import path from "node:path";
import { parseArgs } from "node:util";
import type { FormCode } from "../src/forms/form-kind.js";
import {
  EMPTY_LOCATION,
  EMPTY_PROVENANCE,
  emptyTotals,
  type FormResult,
  type NumberCell,
  type TotalKey,
} from "../src/forms/form-result.js";
import { MISREADING_MODES } from "../test/support/misreadings.js";
import { readSampleTruth, type SampleTruthCell, type SampleTruthEntry } from "./support/sample-truth.js";
import { createScoreTable, offlineWitness, prepareDocuments, type Scenario } from "./support/witness-run.js";

const TOTALS: Readonly<Record<string, TotalKey>> = {
  envelopes: "envelopes",
  ballots_in_envelopes: "ballotsInEnvelopes",
  received: "ballotsReceived",
  used: "ballotsUsed",
  remaining: "ballotsRemaining",
  good: "good",
  bad: "bad",
  novote: "noVote",
};

function cell(c: SampleTruthCell): NumberCell {
  const mark = c.mark === "dash" ? "dash" : c.mark === "blank" ? "blank" : c.mark === "digits" ? "digits" : "illegible";
  return { digits: c.digits, words: c.words ?? null, value: mark === "dash" ? 0 : mark === "blank" ? null : c.value, mark };
}

/** The hand-made truth as a result, the way a perfect model would read it. */
function truthResult(entry: SampleTruthEntry): FormResult {
  const totals = emptyTotals();
  for (const [name, c] of Object.entries(entry.totals ?? {})) {
    const key = TOTALS[name];
    if (key) totals[key] = cell(c);
  }
  if (entry.total_line) totals.voteTotal = cell(entry.total_line);
  const code = (entry.form ?? "").replace(/\s*\(บช\)/, "") as FormCode;
  return {
    schemaVersion: 1,
    document: { id: "0".repeat(64), sources: [{ path: entry.source, sha256: "0".repeat(64), bytes: 1 }], pages: [] },
    formCode: ["5/16", "5/17", "5/18"].includes(code) ? code : null,
    formKind: entry.kind,
    location: { ...EMPTY_LOCATION, province: "แพร่", constituency: 1 },
    totals,
    votes: entry.votes.map((v) => ({ number: v.no, ...cell(v) })),
    checks: [],
    status: "verified",
    reasons: [],
    provenance: EMPTY_PROVENANCE,
  };
}

const { values } = parseArgs({
  options: {
    samples: { type: "string", default: path.resolve(import.meta.dirname, "../../shared/samples") },
    seed: { type: "string", default: "3" },
    explain: { type: "boolean" },
  },
});
const samples = values.samples;
const entries = (await readSampleTruth(samples)).filter((e) => e.page_type !== "signatures");
const folders = [...new Set(entries.filter((e) => e.source.includes("/")).map((e) => e.source.split("/")[0]!))].map((f) =>
  path.join(samples, f),
);
const loose = entries.filter((e) => !e.source.includes("/")).map((e) => path.join(samples, "pages", e.source));
const bySource = (docPath: string): SampleTruthEntry | undefined =>
  entries.find((e) => docPath.endsWith(`/${e.source}`) || docPath === e.source || docPath.endsWith(`/pages/${e.source}`));
const documents = await prepareDocuments([...folders, ...loose], (doc) => {
  const entry = bySource(doc.primaryPath);
  return entry ? truthResult(entry) : null;
});
console.log(`${documents.length} real count documents (of ${entries.length} in truth.json)`);

const local = offlineWitness();
const seed = Number(values.seed);
const scenarios: Scenario[] = [
  { name: "clean", shares: {} },
  ...MISREADING_MODES.map((mode): Scenario => ({ name: mode, shares: { [mode]: 1 } })),
];
const table = createScoreTable(local);
const setups = [
  { name: "witness alone", witnesses: () => [local] },
  { name: "witness + second model", witnesses: () => [local], secondModel: "disputed" as const },
];
for (const scenario of scenarios)
  for (const setup of setups) {
    const outcomes = await table.run(documents, scenario, setup, seed);
    for (const o of outcomes) {
      const findings = (o.result.alignment ?? [])
        .map((f) => `${f.kind} rows ${f.rows.join(",")} (${f.offset > 0 ? "+" : ""}${f.offset})`)
        .join("; ");
      const verdicts = { agreed: 0, pinned: 0, single: 0, disputed: 0 };
      for (const c of [...o.result.votes, ...Object.values(o.result.totals)]) if (c?.verdict) verdicts[c.verdict]++;
      const tally = `agreed ${verdicts.agreed} pinned ${verdicts.pinned} single ${verdicts.single} disputed ${verdicts.disputed}`;
      console.log(
        `    ${path.basename(o.document.doc.primaryPath).padEnd(28)} ${o.result.status.padEnd(12)} ${tally.padEnd(44)} ${o.misreading ? `${o.misreading.detail}` : "clean"}${findings ? ` → ${findings}` : ""}`,
      );
      if (values.explain && o.misreading?.mode === "row_shift") {
        for (const n of o.misreading.rows) {
          const row = o.result.votes.find((r) => r.number === n);
          console.log(
            `        row ${n}: ${row?.verdict} ${(row?.witnesses ?? []).map((w) => `${w.kind}=${w.value}${w.confidence === undefined ? "" : `@${w.confidence.toFixed(2)}`}`).join(" ")}`,
          );
        }
      }
    }
  }
table.print();
