import type { LocalDecision } from "../../src/local/decide.js";
import type { CellKey } from "../../src/local/layout/page-layout.js";
import type { LocalDocumentRead } from "../../src/local/local-read.js";

/** What a cell holds, as the reader should count it: a number, or "blank" for an empty total. */
export type Expected = number | "blank";

export interface DocumentScore {
  readonly correct: number;
  /** "key expected→got" for every cell read wrong. */
  readonly wrong: readonly string[];
  /** Verified although a cell the checks rely on is wrong. */
  readonly silent: boolean;
}

/** Scores the offline reader document by document against known cell values, and sums up. */
export class LocalEvalTally {
  readonly cellLog: string[] = [];
  private cells = 0;
  private correct = 0;
  private written = 0;
  private writtenCorrect = 0;
  private confidentCells = 0;
  private confidentCorrect = 0;
  private docs = 0;
  private verified = 0;
  private confirmed = 0;
  private silent = 0;
  private pages = 0;
  private cpuMs = 0;

  constructor(readonly minConfidence: number) {}

  add(doc: string, read: LocalDocumentRead, decision: LocalDecision, expected: ReadonlyMap<CellKey, Expected>): DocumentScore {
    this.docs++;
    this.pages += read.pages.length;
    this.cpuMs += read.pages.reduce((s, p) => s + p.cpuMs, 0);
    let correct = 0;
    const wrong: string[] = [];
    for (const [key, want] of expected) {
      const got = read.cells.get(key);
      const gotValue = !got || got.value === null ? null : got.mark === "blank" && !key.startsWith("row:") ? "blank" : got.value;
      const shown = got?.digits ?? got?.mark ?? "missing";
      const ok = gotValue === want;
      this.cells++;
      const isWritten = typeof want === "number" && want > 0;
      if (isWritten) this.written++;
      if (isWritten && ok) this.writtenCorrect++;
      if (got && got.value !== null && got.confidence >= this.minConfidence) {
        this.confidentCells++;
        if (ok) this.confidentCorrect++;
      }
      if (ok) correct++;
      else wrong.push(`${key} ${want}→${shown}`);
      this.cellLog.push(JSON.stringify({ doc, key, expected: want, got: shown, confidence: got?.confidence ?? 0, ok }));
    }
    this.correct += correct;
    const silent = decision.verified && wrong.length > 0;
    if (decision.verified) this.verified++;
    if (decision.verified && decision.confirmedBySums.length > 0) this.confirmed++;
    if (silent) this.silent++;
    return { correct, wrong, silent };
  }

  summary(): string[] {
    const pct = (a: number, b: number): string => (b === 0 ? "n/a" : `${((100 * a) / b).toFixed(1)}%`);
    return [
      `min confidence        ${this.minConfidence}`,
      `cells                 ${this.cells}`,
      `per-cell accuracy     ${pct(this.correct, this.cells)} (${this.correct}/${this.cells})`,
      `written cells (> 0)    ${pct(this.writtenCorrect, this.written)} (${this.writtenCorrect}/${this.written})`,
      `confident cells       ${pct(this.confidentCells, this.cells)} of cells, ${pct(this.confidentCorrect, this.confidentCells)} of them right`,
      `documents             ${this.docs}`,
      `verified locally      ${pct(this.verified, this.docs)} (${this.verified}/${this.docs}), ${this.confirmed} with weak cells confirmed by the sums`,
      `silent errors         ${this.silent}`,
      `CPU per page          ${(this.cpuMs / 1000 / Math.max(1, this.pages)).toFixed(2)} s (${this.pages} pages)`,
    ];
  }
}
