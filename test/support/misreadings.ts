import type { FormResult, NumberCell, TotalKey, VoteRow } from "../../src/forms/form-result.js";
import { arabicDigitsToThai, thaiDigitsToArabic } from "../../src/forms/thai-digits.js";
import { formatThaiNumber } from "../../src/forms/thai-number-format.js";
import { ballotsUsedKey } from "../../src/verify/sum-checks.js";
import { createRng, type Rng } from "../../src/synth/rng.js";

/**
 * The misreadings a vision model really makes, for the fake provider. The first three are
 * self-consistent: every sum still holds, so only an independent witness can catch them.
 * - row_shift: a run of 3 rows read one row off (their values rotate within the run);
 * - rows_swapped: two written rows' values exchanged;
 * - recount: one digit misread, the words written from the wrong digits, and the totals
 *   "corrected" to match (the model computed instead of transcribing);
 * - dropped_row: a written row left out of the reply;
 * - hallucinated_total: the total line given a value that is not on the paper.
 * A form is misread the same way on every read (re-asks included): the fake answers from the
 * misread truth.
 */
export const MISREADING_MODES = ["row_shift", "rows_swapped", "recount", "dropped_row", "hallucinated_total"] as const;
export type MisreadingMode = (typeof MISREADING_MODES)[number];

export interface MisreadingOptions {
  /** Share of forms (0..1) misread in each mode; the shares add up to at most 1. */
  readonly shares: Partial<Readonly<Record<MisreadingMode, number>>>;
  readonly seed?: number;
}

export interface AppliedMisreading {
  readonly mode: MisreadingMode;
  /** Printed rows involved (the shifted run, the two swapped rows, the recounted or dropped row). */
  readonly rows: readonly number[];
  /** Totals changed to match. */
  readonly totals: readonly TotalKey[];
  readonly detail: string;
}

export interface MisreadForm {
  readonly form: FormResult;
  readonly misreading: AppliedMisreading | null;
}

/** Chooses each form's mode by a seeded draw per document, so it does not depend on request order. */
export function chooseMode(documentId: string, options: MisreadingOptions): MisreadingMode | null {
  const roll = createRng(options.seed ?? 1)
    .fork(`misreading-mode|${documentId}`)
    .next();
  let cumulative = 0;
  for (const mode of MISREADING_MODES) {
    cumulative += options.shares[mode] ?? 0;
    if (roll < cumulative) return mode;
  }
  return null;
}

/** The form as the model misreads it in `mode`, or the truth itself when the form offers no way to. */
export function misreadForm(truth: FormResult, mode: MisreadingMode, seed = 1): MisreadForm {
  const rng = createRng(seed).fork(`misreading|${mode}|${truth.document.id}`);
  const applied = APPLY[mode](truth, rng);
  return applied ?? { form: truth, misreading: null };
}

type Apply = (truth: FormResult, rng: Rng) => MisreadForm | null;

const written = (row: VoteRow) => row.mark === "digits" && row.value !== null && row.value > 0;

function withValue<C extends NumberCell>(cell: C, value: number, like: NumberCell = cell): C {
  const thai = /[๐-๙]/.test(like.digits ?? "");
  const text = like.digits?.includes(",") ? value.toLocaleString("en-US") : String(value);
  return {
    ...cell,
    digits: thai ? arabicDigitsToThai(text) : text,
    words: cell.words === null ? null : formatThaiNumber(value),
    value,
    mark: "digits",
  };
}

/** The values of `rows` given to other rows: row i gets the value of `from[i]` (digits and words as written). */
function moveValues(truth: FormResult, moves: ReadonlyMap<number, number>): FormResult {
  const byNumber = new Map(truth.votes.map((row) => [row.number, row]));
  return {
    ...truth,
    votes: truth.votes.map((row) => {
      const from = moves.get(row.number);
      const source = from === undefined ? undefined : byNumber.get(from);
      return source ? { ...row, digits: source.digits, words: source.words, value: source.value, mark: source.mark } : row;
    }),
  };
}

const APPLY: Readonly<Record<MisreadingMode, Apply>> = {
  row_shift(truth, rng) {
    // Three printed rows in a row, written with three different values.
    const rows = truth.votes;
    const starts: number[] = [];
    for (let i = 0; i + 2 < rows.length; i++) {
      const run = rows.slice(i, i + 3);
      const consecutive = run.every((row, k) => row.number === run[0]!.number + k);
      if (consecutive && run.every(written) && new Set(run.map((r) => r.value)).size === 3) starts.push(i);
    }
    if (starts.length === 0) return null;
    const start = rng.pick(starts);
    const run = rows.slice(start, start + 3).map((r) => r.number);
    const [a, b, c] = run as [number, number, number];
    // Read one row off: each row gets the next row's value, the last the first's.
    const form = moveValues(
      truth,
      new Map([
        [a, b],
        [b, c],
        [c, a],
      ]),
    );
    return { form, misreading: { mode: "row_shift", rows: run, totals: [], detail: `rows ${a}-${c} read one row off` } };
  },
  rows_swapped(truth, rng) {
    const candidates = truth.votes.filter(written);
    if (candidates.length < 2) return null;
    const first = rng.pick(candidates);
    const others = candidates.filter((row) => row.number !== first.number && row.value !== first.value);
    if (others.length === 0) return null;
    const second = rng.pick(others);
    const [a, b] = [first.number, second.number].sort((x, y) => x - y) as [number, number];
    const form = moveValues(
      truth,
      new Map([
        [a, b],
        [b, a],
      ]),
    );
    return { form, misreading: { mode: "rows_swapped", rows: [a, b], totals: [], detail: `rows ${a} and ${b} exchanged` } };
  },
  recount(truth, rng) {
    const candidates = truth.votes.filter((row) => written(row) && /^[0-9๐-๙,]+$/.test(row.digits ?? ""));
    if (candidates.length === 0 || !truth.totals.good) return null;
    const row = rng.pick(candidates);
    const read = changeOneDigitValue(row.value as number, rng);
    const delta = read - (row.value as number);
    const totals = { ...truth.totals };
    const changed: TotalKey[] = [];
    const shift = (key: TotalKey, by: number): boolean => {
      const cell = totals[key];
      if (!cell || cell.value === null || cell.value + by < 0) return false;
      totals[key] = withValue(cell, cell.value + by);
      changed.push(key);
      return true;
    };
    if (!shift("good", delta)) return null;
    shift("voteTotal", delta);
    const usedKey = ballotsUsedKey(truth);
    if (usedKey) shift(usedKey, delta);
    // 5/18: used + remaining = received; the model keeps the received count and "fixes" the remainder.
    if (usedKey === "ballotsUsed" && truth.totals.ballotsRemaining && truth.totals.ballotsReceived && !shift("ballotsRemaining", -delta)) {
      shift("ballotsReceived", delta);
    }
    const form = { ...truth, totals, votes: truth.votes.map((r) => (r.number === row.number ? withValue(r, read) : r)) };
    return {
      form,
      misreading: {
        mode: "recount",
        rows: [row.number],
        totals: changed,
        detail: `row ${row.number} read ${read} for ${row.value}, totals adjusted by ${delta}`,
      },
    };
  },
  dropped_row(truth, rng) {
    const candidates = truth.votes.filter(written);
    if (candidates.length === 0) return null;
    const row = rng.pick(candidates);
    const form = { ...truth, votes: truth.votes.filter((r) => r.number !== row.number) };
    return { form, misreading: { mode: "dropped_row", rows: [row.number], totals: [], detail: `row ${row.number} left out` } };
  },
  hallucinated_total(truth, rng) {
    const line = truth.totals.voteTotal ?? truth.totals.good;
    if (!line || line.value === null) return null;
    const key: TotalKey = truth.totals.voteTotal ? "voteTotal" : "good";
    const invented = Math.max(0, line.value + rng.pick([-1, 1]) * rng.int(1, Math.max(3, Math.round(line.value * 0.1))));
    const cell = withValue(line, invented === line.value ? invented + 1 : invented);
    return {
      form: { ...truth, totals: { ...truth.totals, [key]: cell } },
      misreading: { mode: "hallucinated_total", rows: [], totals: [key], detail: `${key} given as ${cell.value}` },
    };
  },
};

/** Digits that handwriting confuses most (REAL-FORMS): 1↔7, 5↔6, 7↔9, 3↔2, 4↔9, 0↔8. */
export const CONFUSABLE: Readonly<Record<string, string>> = {
  "0": "8",
  "1": "7",
  "2": "3",
  "3": "2",
  "4": "9",
  "5": "6",
  "6": "5",
  "7": "1",
  "8": "0",
  "9": "4",
};

/** One digit of the value changed to the one handwriting most confuses it with (no leading zero). */
function changeOneDigitValue(value: number, rng: Rng): number {
  const digits = [...thaiDigitsToArabic(String(value))];
  const at = rng.int(0, digits.length - 1);
  let replacement = CONFUSABLE[digits[at]!] ?? "1";
  if (at === 0 && replacement === "0" && digits.length > 1) replacement = "9";
  digits[at] = replacement;
  const read = Number(digits.join(""));
  return read === value ? value + 1 : read;
}
