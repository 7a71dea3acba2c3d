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

/** Bin edges of the reliability table; the last bin holds confidence 1. */
const RELIABILITY_BINS = [0, 0.5, 0.7, 0.9, 0.97, 0.99, 0.995, 0.999, 1.0000001];

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
  private pagesLaidOut = 0;
  private writtenConfident = 0;
  private cpuMs = 0;
  /** Per confidence bin: cells, summed confidence, cells right. */
  private bins = RELIABILITY_BINS.slice(0, -1).map(() => ({ cells: 0, confidence: 0, right: 0 }));

  constructor(readonly minConfidence: number) {}

  add(doc: string, read: LocalDocumentRead, decision: LocalDecision, expected: ReadonlyMap<CellKey, Expected>): DocumentScore {
    this.docs++;
    this.pages += read.pages.length;
    this.pagesLaidOut += read.pages.filter((p) => p.failure === null).length;
    this.cpuMs += read.pages.reduce((s, p) => s + p.cpuMs, 0);
    let correct = 0;
    const wrong: string[] = [];
    // A silent error is a wrong number given out as verified: a cell the verdict rests on, or an
    // extra given with confidence. An extra the reader could not read is output as unknown, not wrong.
    const vouched = new Set<CellKey>([...decision.neededCells, ...decision.confidentExtras]);
    let wrongVouched = 0;
    for (const [key, want] of expected) {
      const got = read.cells.get(key);
      const gotValue = !got || got.value === null ? null : got.mark === "blank" && !key.startsWith("row:") ? "blank" : got.value;
      const shown = got?.digits ?? got?.mark ?? "missing";
      const ok = gotValue === want;
      this.cells++;
      const isWritten = typeof want === "number" && want > 0;
      if (isWritten) this.written++;
      if (isWritten && ok) this.writtenCorrect++;
      if (got && got.value !== null) {
        const bin = RELIABILITY_BINS.findIndex((lo, i) => got.confidence >= lo && got.confidence < RELIABILITY_BINS[i + 1]!);
        const slot = this.bins[bin];
        if (slot) {
          slot.cells++;
          slot.confidence += got.confidence;
          if (ok) slot.right++;
        }
      }
      if (got && got.value !== null && got.confidence >= this.minConfidence) {
        if (isWritten) this.writtenConfident++;
        this.confidentCells++;
        if (ok) this.confidentCorrect++;
      }
      if (ok) correct++;
      else {
        wrong.push(`${key} ${want}→${shown}`);
        if (vouched.has(key)) wrongVouched++;
      }
      this.cellLog.push(JSON.stringify({ doc, key, expected: want, got: shown, confidence: got?.confidence ?? 0, ok }));
    }
    this.correct += correct;
    const silent = decision.verified && wrongVouched > 0;
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
      `confident cells       ${pct(this.confidentCells, this.cells)} of cells, ${pct(this.confidentCorrect, this.confidentCells)} of them right (${this.confidentCells - this.confidentCorrect} wrong)`,
      `written confident     ${pct(this.writtenConfident, this.written)} of written cells`,
      `documents             ${this.docs}`,
      `verified locally      ${pct(this.verified, this.docs)} (${this.verified}/${this.docs}), ${this.confirmed} with weak cells confirmed by the sums`,
      `silent errors         ${this.silent}`,
      `pages laid out        ${this.pagesLaidOut}/${this.pages}`,
      `CPU per page          ${(this.cpuMs / 1000 / Math.max(1, this.pages)).toFixed(2)} s (${this.pages} pages)`,
    ];
  }

  /** Predicted confidence against observed accuracy, per bin, over every cell read as a value. */
  reliability(): string[] {
    const lines = ["confidence bin      cells  mean confidence  accuracy"];
    this.bins.forEach((bin, i) => {
      if (bin.cells === 0) return;
      const range = `[${RELIABILITY_BINS[i]!.toFixed(3)}, ${Math.min(1, RELIABILITY_BINS[i + 1]!).toFixed(3)}${i === this.bins.length - 1 ? "]" : ")"}`;
      lines.push(
        `${range.padEnd(18)} ${String(bin.cells).padStart(6)}  ${(bin.confidence / bin.cells).toFixed(4).padStart(15)}  ${(bin.right / bin.cells).toFixed(4)} (${bin.cells - bin.right} wrong)`,
      );
    });
    return lines;
  }
}
