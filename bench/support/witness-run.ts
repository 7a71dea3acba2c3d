/**
 * The witness benches' shared core: prepare real documents once, read them with the offline
 * witness once (cached), then run extraction through the fake model in each misreading scenario
 * and score what was verified against the truth.
 */
import { createDirectGate } from "../../src/extract/direct-gate.js";
import { extractDocument } from "../../src/extract/extract-document.js";
import { secondModelSource } from "../../src/extract/second-model.js";
import type { ProviderGate, WitnessReport, WitnessSource } from "../../src/extract/types.js";
import type { FormResult } from "../../src/forms/form-result.js";
import { discoverDocuments } from "../../src/ingest/discover.js";
import { DEFAULT_PREPARE_OPTIONS } from "../../src/ingest/prepare.js";
import { createPreparePool } from "../../src/ingest/prepare-pool.js";
import type { DiscoveredDocument, PreparedPage } from "../../src/ingest/types.js";
import { resolveProviderConfig } from "../../src/providers/config.js";
import { createOpenAICompatibleProvider } from "../../src/providers/openai-compatible.js";
import { createLocalProvider } from "../../src/local/local-provider.js";
import { createLocalWitness } from "../../src/local/local-witness.js";
import { allCells, sumValue } from "../../src/verify/cells.js";
import { neededCells } from "../../src/verify/verdict.js";
import { startFakeProvider } from "../../test/support/fake-provider.js";
import type { AppliedMisreading, MisreadingMode } from "../../test/support/misreadings.js";

export interface PreparedDocument {
  readonly doc: DiscoveredDocument;
  readonly pages: readonly PreparedPage[];
  readonly truth: FormResult;
}

/** Discovers and prepares every document under `inputs` that has a truth. */
export async function prepareDocuments(
  inputs: readonly string[],
  truthOf: (doc: DiscoveredDocument) => FormResult | null,
): Promise<PreparedDocument[]> {
  const signal = new AbortController().signal;
  const { documents } = await discoverDocuments(inputs, { signal });
  const pool = createPreparePool();
  try {
    const prepared = await Promise.all(
      documents.map(async (doc) => {
        const truth = truthOf(doc);
        if (!truth) return null;
        const pages = await pool.prepare(doc, DEFAULT_PREPARE_OPTIONS, signal);
        if (!pages.ok) throw new Error(`${doc.primaryPath}: ${pages.error.message}`);
        return { doc, pages: pages.value, truth: { ...truth, document: { ...truth.document, id: doc.id } } };
      }),
    );
    return prepared.filter((p): p is PreparedDocument => p !== null);
  } finally {
    await pool.close();
  }
}

/** A witness that counts the pages it read and their CPU. */
export type CachedWitness = WitnessSource & { readonly cpuMs: () => number; readonly pages: () => number };

/** The offline reader as the benches' witness, each document read once (see cachedWitness). */
export function offlineWitness(): CachedWitness {
  return cachedWitness(createLocalWitness(createLocalProvider()));
}

/** A witness whose reading of each document is kept: every scenario sees the same pages, read once. */
function cachedWitness(source: WitnessSource): CachedWitness {
  const reads = new Map<string, Promise<WitnessReport | null>>();
  let cpuMs = 0;
  let pages = 0;
  return {
    ...source,
    cpuMs: () => cpuMs,
    pages: () => pages,
    read(context) {
      let report = reads.get(context.doc.id);
      if (!report) {
        report = source.read?.(context) ?? Promise.resolve(null);
        void report.then((r) => {
          cpuMs += r?.cpuMs ?? 0;
          pages += r?.pagesRead ?? 0;
        });
        reads.set(context.doc.id, report);
      }
      return report;
    },
  };
}

export interface Scenario {
  readonly name: string;
  readonly shares: Partial<Record<MisreadingMode, number>>;
}

export interface Setup {
  readonly name: string;
  /** Witnesses for the run (fresh per scenario when they hold state). */
  readonly witnesses: () => readonly WitnessSource[];
  readonly acceptSingleWitness?: boolean;
  /**
   * A second model (--verify-with): a second fake that reads every form correctly. Its requests
   * (purpose "verify") go to that fake, as the batch gate sends them to the second model.
   */
  readonly secondModel?: "disputed" | "always";
}

export interface DocumentOutcome {
  readonly document: PreparedDocument;
  readonly result: FormResult;
  readonly misreading: AppliedMisreading | null;
  /** Verified, and some needed value differs from the truth. */
  readonly silent: boolean;
  readonly cellsNeeded: number;
  readonly cellsAgreed: number;
}

/** Each needed cell's counted value equals the truth's. */
export function matchesTruth(result: FormResult, truth: FormResult): boolean {
  const truthCells = new Map(
    allCells(truth).map(({ ref, cell }) => [ref.kind === "row" ? `row:${ref.number}` : ref.key, sumValue(ref, cell)]),
  );
  for (const ref of neededCells(truth)) {
    const key = ref.kind === "row" ? `row:${ref.number}` : ref.key;
    const cell = ref.kind === "row" ? result.votes.find((r) => r.number === ref.number) : result.totals[ref.key];
    if (!cell || sumValue(ref, cell) !== truthCells.get(key)) return false;
  }
  return true;
}

/** Runs every document through the fake model in one scenario with one setup. */
export async function runScenario(
  documents: readonly PreparedDocument[],
  scenario: Scenario,
  setup: Setup,
  seed: number,
): Promise<DocumentOutcome[]> {
  const truth = new Map(documents.map((d) => [d.doc.id, d.truth]));
  const fake = await startFakeProvider({ truth, misreadings: { shares: scenario.shares, seed }, seed });
  const secondFake = setup.secondModel ? await startFakeProvider({ truth, seed: seed + 1 }) : null;
  const secondConfig = secondFake
    ? resolveProviderConfig({ provider: "vllm", baseUrl: secondFake.baseUrl, model: "second-fake", env: {} })
    : null;
  const second = secondConfig?.ok ? { config: secondConfig.value } : null;
  try {
    const config = resolveProviderConfig({ provider: "vllm", baseUrl: fake.baseUrl, model: "fake-vision", env: {} });
    if (!config.ok) throw new Error(config.error);
    const firstGate = createDirectGate(createOpenAICompatibleProvider(config.value, { timeoutMs: 30_000 }));
    const secondGate = second ? createDirectGate(createOpenAICompatibleProvider(second.config, { timeoutMs: 30_000 })) : null;
    const gate: ProviderGate = {
      call: (request, signal) => (request.purpose === "verify" && secondGate ? secondGate : firstGate).call(request, signal),
    };
    const witnesses = setup.secondModel
      ? [...setup.witnesses(), secondModelSource({ when: setup.secondModel, source: "vllm:second-fake", requestMode: "document" })]
      : setup.witnesses();
    const outcomes: DocumentOutcome[] = [];
    const queue = [...documents];
    const worker = async () => {
      for (let document = queue.shift(); document; document = queue.shift()) {
        const extraction = await extractDocument(
          { doc: document.doc, pages: document.pages },
          gate,
          {
            requestMode: "document",
            reask: true,
            providerName: "vllm",
            model: "fake-vision",
            witnesses,
            verdict: { acceptSingleWitness: setup.acceptSingleWitness === true },
          },
          new AbortController().signal,
        );
        if (extraction.kind !== "done") throw new Error(`${document.doc.primaryPath}: ${extraction.message}`);
        const result = extraction.result;
        const needed = [...result.votes, ...Object.values(result.totals)].filter((c) => c?.verdict !== undefined);
        outcomes.push({
          document,
          result,
          misreading: fake.misreadings.get(document.doc.id) ?? null,
          silent: result.status === "verified" && !matchesTruth(result, document.truth),
          cellsNeeded: needed.length,
          cellsAgreed: needed.filter((c) => c?.verdict === "agreed").length,
        });
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    return outcomes;
  } finally {
    await fake.close();
    await secondFake?.close();
  }
}

export interface ScenarioScore {
  readonly forms: number;
  readonly misread: number;
  readonly misreadVerified: number;
  readonly silent: number;
  readonly clean: number;
  readonly cleanVerified: number;
  readonly cellsAgreedShare: number;
  /** row_shift / rows_swapped forms: with a finding, and with the finding naming exactly the misread rows. */
  readonly alignmentForms: number;
  readonly alignmentFound: number;
  readonly alignmentNamedRight: number;
  readonly alignmentNamedWrong: number;
}

export function score(outcomes: readonly DocumentOutcome[]): ScenarioScore {
  const misread = outcomes.filter((o) => o.misreading !== null);
  const clean = outcomes.filter((o) => o.misreading === null);
  const aligned = misread.filter((o) => o.misreading?.mode === "row_shift" || o.misreading?.mode === "rows_swapped");
  const kindOf = (mode: MisreadingMode) => (mode === "row_shift" ? "row_shift" : "rows_swapped");
  const found = aligned.filter((o) => (o.result.alignment ?? []).some((f) => f.kind === kindOf(o.misreading!.mode)));
  const right = found.filter((o) =>
    (o.result.alignment ?? []).some(
      (f) =>
        f.kind === kindOf(o.misreading!.mode) &&
        [...f.rows].sort((a, b) => a - b).join(",") === [...o.misreading!.rows].sort((a, b) => a - b).join(","),
    ),
  );
  // Every finding on any form must name rows that really were misplaced.
  const wrong = outcomes.filter((o) =>
    (o.result.alignment ?? []).some((f) => !o.misreading || !f.rows.every((r) => o.misreading!.rows.includes(r))),
  );
  const needed = outcomes.reduce((n, o) => n + o.cellsNeeded, 0);
  return {
    forms: outcomes.length,
    misread: misread.length,
    misreadVerified: misread.filter((o) => o.result.status === "verified").length,
    silent: outcomes.filter((o) => o.silent).length,
    clean: clean.length,
    cleanVerified: clean.filter((o) => o.result.status === "verified").length,
    cellsAgreedShare: needed === 0 ? 0 : outcomes.reduce((n, o) => n + o.cellsAgreed, 0) / needed,
    alignmentForms: aligned.length,
    alignmentFound: found.length,
    alignmentNamedRight: right.length,
    alignmentNamedWrong: wrong.length,
  };
}

export const percent = (n: number, of: number): string => (of === 0 ? "–" : `${((n / of) * 100).toFixed(1)}%`);

/** The columns of a witness table, one row per scenario and setup. */
export const SCORE_HEADER = [
  "scenario",
  "setup",
  "forms",
  "misread",
  "misread verified",
  "silent errors",
  "clean verified",
  "cells agreed",
  "row findings named right",
] as const;

/** A score's cells from "forms" to "row findings named right". */
function scoreCells(s: ScenarioScore): string[] {
  return [
    String(s.forms),
    String(s.misread),
    String(s.misreadVerified),
    String(s.silent),
    `${s.cleanVerified}/${s.clean} (${percent(s.cleanVerified, s.clean)})`,
    percent(s.cellsAgreedShare, 1),
    s.alignmentForms === 0
      ? "–"
      : `${s.alignmentNamedRight}/${s.alignmentForms} (found ${s.alignmentFound}, wrong ${s.alignmentNamedWrong})`,
  ];
}

/** The offline witness's pages and CPU, for the line under a witness table. */
function describeWitnessCpu(local: CachedWitness): string {
  const pages = local.pages();
  // Node 20 has no per-thread CPU clock: this is the process's CPU while the pages were read.
  const perPage = pages === 0 ? "–" : (local.cpuMs() / pages / 1000).toFixed(3);
  return `Offline witness: ${pages} pages, ${perPage} s of process CPU per page (all threads; bench/reader-cpu.ts measures one thread).`;
}

/** The witness table in Markdown, after a blank line. */
function printScoreTable(rows: readonly (readonly string[])[]): void {
  console.log("");
  console.log(`| ${SCORE_HEADER.join(" | ")} |`);
  console.log(`|${SCORE_HEADER.map(() => "---").join("|")}|`);
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
}

/** A witness bench's table: each scenario and setup run, scored and printed as it ends, then the whole table and the witness's CPU. */
export function createScoreTable(local: CachedWitness): {
  readonly run: (documents: readonly PreparedDocument[], scenario: Scenario, setup: Setup, seed: number) => Promise<DocumentOutcome[]>;
  readonly print: () => void;
} {
  const rows: string[][] = [];
  return {
    async run(documents, scenario, setup, seed) {
      const outcomes = await runScenario(documents, scenario, setup, seed);
      const row = [scenario.name, setup.name, ...scoreCells(score(outcomes))];
      rows.push(row);
      console.log(row.join(" | "));
      return outcomes;
    },
    print() {
      printScoreTable(rows);
      console.log("");
      console.log(describeWitnessCpu(local));
    },
  };
}
