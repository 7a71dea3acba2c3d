/**
 * How well the consistency checks catch and locate one misread digit.
 * Generates random consistent forms (constituency and party-list, 5/16, 5/17, 5/18), changes one
 * digit of one row or total (words left as written), and runs checkForm.
 *
 *   npx tsx bench/misread-recall.ts [count] [seed]
 */
import fc from "fast-check";
import type { Check } from "../src/forms/form-result.js";
import { sameRef } from "../src/verify/cells.js";
import { checkForm } from "../src/verify/check-form.js";
import { locateMisreads } from "../src/verify/locate.js";
import { type InjectedTarget, misreadFormArbitrary, type WordsPolicy } from "../test/fixtures/consistent-forms.js";

const count = Number(process.argv[2] ?? 2000);
const seed = Number(process.argv[3] ?? 20260208);

function inChecks(checks: readonly Check[], target: InjectedTarget): boolean {
  return checks.some(
    (c) => !c.ok && (target.kind === "row" ? (c.rows ?? []).includes(target.number) : (c.totals ?? []).includes(target.key)),
  );
}

interface Tally {
  runs: number;
  flagged: number;
  locatedFirst: number;
  locatedAnywhere: number;
}

const empty = (): Tally => ({ runs: 0, flagged: 0, locatedFirst: 0, locatedAnywhere: 0 });
const pct = (n: number, of: number) => (of === 0 ? "-" : `${((100 * n) / of).toFixed(1)} %`);

function run(words: WordsPolicy): Map<string, Tally> {
  const tallies = new Map<string, Tally>();
  const samples = fc.sample(misreadFormArbitrary(words), { numRuns: count, seed });
  for (const { form, injection } of samples) {
    const outcome = checkForm(form);
    const suspects = locateMisreads(form);
    const flagged = outcome.status === "needs_review";
    const first = suspects[0] !== undefined && sameRef(suspects[0].ref, injection.target);
    const anywhere = suspects.some((s) => sameRef(s.ref, injection.target)) || inChecks(outcome.checks, injection.target);
    const where = injection.target.kind === "row" ? "row" : `total:${injection.target.key}`;
    for (const key of ["all", `${form.formKind}`, where]) {
      const tally = tallies.get(key) ?? empty();
      tally.runs++;
      if (flagged) tally.flagged++;
      if (first) tally.locatedFirst++;
      if (anywhere) tally.locatedAnywhere++;
      tallies.set(key, tally);
    }
  }
  return tallies;
}

function report(title: string, tallies: Map<string, Tally>): void {
  console.log(`\n${title}`);
  console.log("slice                      runs   flagged   first located   located anywhere");
  const keys = [...tallies.keys()].sort((a, b) => (a === "all" ? -1 : b === "all" ? 1 : a.localeCompare(b)));
  for (const key of keys) {
    const t = tallies.get(key) as Tally;
    console.log(
      `${key.padEnd(24)} ${String(t.runs).padStart(6)}  ${pct(t.flagged, t.runs).padStart(8)}  ${pct(t.locatedFirst, t.runs).padStart(14)}  ${pct(t.locatedAnywhere, t.runs).padStart(17)}`,
    );
  }
}

const started = performance.now();
report(`Words written beside every number (N=${count}, seed ${seed})`, run("always"));
report(`Digits only, no words (N=${count}, seed ${seed})`, run("never"));
console.log(`\n${((performance.now() - started) / 1000).toFixed(1)} s`);
