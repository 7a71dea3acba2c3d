import type { AlignmentFinding, Witness, WitnessKind } from "../forms/evidence.js";
import type { FormResult } from "../forms/form-result.js";
import { rowRef, sumValue } from "./cells.js";

/** Offsets a row shift is looked for at. */
const SHIFT_OFFSETS = [1, -1, 2, -2] as const;

/** A shift is a run of at least this many rows read `offset` rows off; one row alone is a coincidence or a swap. */
const MIN_SHIFT_RUN = 2;

/** Witnesses that read rows by their position on the page, not by the model's numbering. */
const POSITIONAL: readonly WitnessKind[] = ["local", "second_model", "person"];

export interface AlignmentOptions {
  /** A witness reading below this is not used (the local reader's confident bar). */
  readonly confidentAt: number;
}

/**
 * Row-alignment findings: where the model's row values match a positional witness's values
 * shifted by k rows (k = ±1, ±2) over a run of rows, or two rows' values appear exchanged.
 * Rows are the printed rows the witness read by position; only rows where the model and the
 * witness disagree take part, so equal neighbours (a run of zeros) never make a finding.
 */
export function findRowAlignment(result: FormResult, options: AlignmentOptions): AlignmentFinding[] {
  const model = new Map<number, number>();
  const seen = new Map<string, Map<number, number>>();
  for (const row of result.votes) {
    const value = sumValue(rowRef(row.number), row);
    if (value !== null) model.set(row.number, value);
    for (const w of row.witnesses ?? []) {
      if (!POSITIONAL.includes(w.kind) || w.value === null || (w.confidence ?? 1) < options.confidentAt) continue;
      const name = witnessName(w);
      const values = seen.get(name) ?? new Map<number, number>();
      values.set(row.number, w.value);
      seen.set(name, values);
    }
  }
  const findings: AlignmentFinding[] = [];
  for (const [name, witness] of seen) findings.push(...compare(model, witness, name));
  return findings;
}

function witnessName(w: Witness): string {
  return w.kind === "local" ? "local" : `${w.kind}:${w.source}`;
}

function compare(model: ReadonlyMap<number, number>, witness: ReadonlyMap<number, number>, name: string): AlignmentFinding[] {
  // The model's value for `row` is what the witness read on `other`, and not what it read on `row`
  // (which it may not have read at all); a value the model also gives `other` proves nothing.
  const readsAs = (row: number, other: number) =>
    model.has(row) &&
    witness.has(other) &&
    model.get(row) === witness.get(other) &&
    witness.get(row) !== model.get(row) &&
    model.get(other) !== model.get(row);
  const rows = [...model.keys()].sort((a, b) => a - b);
  const used = new Set<number>();
  const findings: AlignmentFinding[] = [];

  for (const k of SHIFT_OFFSETS) {
    let run: number[] = [];
    const flush = () => {
      if (run.length >= MIN_SHIFT_RUN) {
        // The values pushed out of the run's end come back at its other end: they belong to the shift too.
        const wrapped: number[] = [];
        const first = run[0]!;
        const last = run[run.length - 1]!;
        for (let i = 1; i <= Math.abs(k); i++) {
          const row = k > 0 ? last + i : first - i;
          const source = k > 0 ? first + i - 1 : last - i + 1;
          if (readsAs(row, source) && !used.has(row)) wrapped.push(row);
        }
        const all = [...run, ...wrapped].sort((a, b) => a - b);
        for (const row of all) used.add(row);
        const sign = k > 0 ? `+${k}` : `${k}`;
        findings.push({
          kind: "row_shift",
          rows: all,
          offset: k,
          witness: name,
          detail: `rows ${all.join(", ")} look shifted by ${sign}: the model's value for row ${run[0]} is what ${name} read on row ${run[0]! + k}${
            run.length > 1 ? `, and so on for ${run.length} rows` : ""
          }`,
        });
      }
      run = [];
    };
    for (const row of rows) {
      if (!used.has(row) && readsAs(row, row + k) && (run.length === 0 || run[run.length - 1] === row - 1)) run.push(row);
      else {
        flush();
        if (!used.has(row) && readsAs(row, row + k)) run.push(row);
      }
    }
    flush();
  }

  for (const a of rows) {
    if (used.has(a)) continue;
    for (const b of rows) {
      if (b <= a || used.has(b)) continue;
      if (readsAs(a, b) && readsAs(b, a)) {
        used.add(a);
        used.add(b);
        findings.push({
          kind: "rows_swapped",
          rows: [a, b],
          offset: b - a,
          witness: name,
          detail: `rows ${a} and ${b} look exchanged: the model read ${model.get(a)} on row ${a} and ${model.get(b)} on row ${b}, ${name} read them the other way round`,
        });
        break;
      }
    }
  }
  return findings;
}
