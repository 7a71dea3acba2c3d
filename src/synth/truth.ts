import { CONSTITUENCY_PRINTED_ROWS, type FormCode, type FormKind, PARTY_COUNT } from "../forms/form-kind.js";
import {
  EMPTY_PROVENANCE,
  type FormResult,
  type Location,
  type NumberCell,
  type PageInfo,
  type SourceFile,
  type TotalKey,
  type Totals,
  type VoteRow,
  emptyTotals,
} from "../forms/form-result.js";
import { PROVINCES } from "../forms/provinces.js";
import type { Rng } from "./rng.js";
import { inventCountingPlace, inventPartyNames, inventPersonName, inventPlaceName } from "./vocabulary.js";
import { type DigitStyle, type WordsContext, slipOneDigit, writeDigits, writeWords } from "./written-number.js";

/** One inconsistency put into a document on purpose, so checks can be scored against it. */
export interface InjectedError {
  readonly target: "row" | "total";
  /** Row number, for target "row". */
  readonly number?: number;
  /** Total key, for target "total". */
  readonly key?: TotalKey;
  readonly trueValue: number;
  readonly writtenDigits: string;
  /** The words as written; for a digit slip they still say the true value. */
  readonly writtenWords: string | null;
  /** digit_slip: the digits disagree with the words. wrong_total: digits and words agree on a wrong total. */
  readonly kind: "digit_slip" | "wrong_total";
}

/** A struck-through number next to a row's final digits; the final digits count. */
export interface Correction {
  readonly number: number;
  readonly struckDigits: string;
}

/** A printed or handwritten row label: the party (party list) or the candidate and party (constituency). */
export interface RowLabel {
  readonly number: number;
  readonly name: string;
  readonly party: string | null;
}

/** Everything needed to draw one synthetic form and to state its truth. */
export interface SynthForm {
  readonly formCode: FormCode;
  readonly formKind: FormKind;
  readonly location: Location;
  /** Whether the set number is left blank in the header (it is still known from the path). */
  readonly setNumberBlank: boolean;
  readonly totals: Totals;
  /** Rows that count: all 57 parties, or the candidates actually standing. */
  readonly votes: readonly VoteRow[];
  readonly labels: readonly RowLabel[];
  readonly digitStyle: DigitStyle;
  readonly injected: readonly InjectedError[];
  /** Vote cells where a wrong number was written, struck through, and the final value written beside it. */
  readonly corrections: readonly Correction[];
  readonly announceDate: { readonly day: number; readonly month: number; readonly yearBE: number };
  readonly committee: readonly string[];
}

export interface SynthTruthOptions {
  readonly formCode: FormCode;
  readonly formKind: FormKind;
  /** Probability that the document gets one injected inconsistency. */
  readonly errorRate: number;
}

type ZeroStyle = "blank" | "dash" | "zero";

/** Splits `total` into integer parts proportional to `weights` (largest remainder). */
function allocate(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (w / sum) * total);
  const parts = exact.map(Math.floor);
  let rest = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (rest <= 0) break;
    parts[i] = (parts[i] ?? 0) + 1;
    rest--;
  }
  return parts;
}

function numberCell(
  value: number,
  rng: Rng,
  style: DigitStyle,
  opts: { words: boolean; context: WordsContext; zero: ZeroStyle },
): NumberCell {
  if (value === 0 && opts.zero === "blank") return { digits: null, words: null, value: null, mark: "blank" };
  if (value === 0 && opts.zero === "dash") return { digits: "-", words: opts.words ? "-" : null, value: 0, mark: "dash" };
  return {
    digits: writeDigits(value, style),
    words: opts.words ? writeWords(value, opts.context, rng) : null,
    value,
    mark: "digits",
  };
}

interface BallotCounts {
  eligible: number | null;
  turnedUp: number | null;
  envelopes: number | null;
  received: number;
  used: number | null;
  remaining: number | null;
  good: number;
  bad: number;
  noVote: number;
}

function ballotCounts(rng: Rng, code: FormCode): BallotCounts {
  if (code === "5/18") {
    const eligible = rng.int(420, 1250);
    const turnedUp = Math.min(eligible, Math.max(300, Math.round(eligible * rng.real(0.55, 0.85))), 900);
    const used = turnedUp;
    const bad = Math.round(used * rng.real(0.005, 0.04));
    const noVote = Math.round(used * rng.real(0.01, 0.06));
    return {
      eligible,
      turnedUp,
      envelopes: null,
      received: eligible,
      used,
      remaining: eligible - used,
      good: used - bad - noVote,
      bad,
      noVote,
    };
  }
  const received = rng.chance(0.2) ? rng.int(40, 300) : rng.int(300, 2000);
  const bad = rng.chance(0.15) ? 0 : Math.round(received * rng.real(0.003, 0.03));
  const noVote = Math.round(received * rng.real(0.01, 0.06));
  return {
    eligible: null,
    turnedUp: null,
    envelopes: code === "5/17" ? received : null,
    received,
    used: null,
    remaining: null,
    good: received - bad - noVote,
    bad,
    noVote,
  };
}

function voteWeights(rng: Rng, kind: FormKind, rows: number): number[] {
  if (kind === "constituency") {
    return Array.from({ length: rows }, (_, i) => Math.exp(rng.normal(0, 1.1)) * (i === 0 ? 1 : 1));
  }
  const active = rng.int(6, 30);
  const activeRows = new Set<number>();
  while (activeRows.size < active) activeRows.add(rng.int(0, rows - 1));
  return Array.from({ length: rows }, (_, i) => (activeRows.has(i) ? Math.exp(rng.normal(0, 1.6)) : 0));
}

function pickLocation(rng: Rng, code: FormCode): Location {
  const province = rng.pick(PROVINCES);
  const district = code === "5/18" ? `${rng.chance(0.3) ? "เมือง" : ""}${inventPlaceName(rng)}` : null;
  return {
    province: province.thai,
    provinceId: null,
    constituency: rng.int(1, 8),
    district: district ?? null,
    subdistrict: code === "5/18" ? inventPlaceName(rng) : null,
    unit: code === "5/18" ? rng.int(1, 45) : null,
    setNumber: code === "5/18" ? null : rng.int(1, 12),
    countingPlace: inventCountingPlace(rng, province.thai),
  };
}

/** Applies at most one inconsistency to the totals or rows (mutating them) and describes it. */
function inject(rng: Rng, totals: Totals, votes: VoteRow[], style: DigitStyle): InjectedError[] {
  const slippableRows = votes.filter((row) => row.mark === "digits" && (row.value ?? 0) > 0);
  const totalKeys = (["good", "bad", "noVote", "voteTotal", "ballotsUsed"] as const).filter((key) => {
    const cell = totals[key];
    return cell !== null && cell.mark === "digits" && (cell.value ?? 0) > 0;
  });
  const onRow = slippableRows.length > 0 && (totalKeys.length === 0 || rng.chance(0.6));
  if (onRow) {
    const row = rng.pick(slippableRows);
    const trueValue = row.value ?? 0;
    const written = slipOneDigit(trueValue, rng);
    const digits = writeDigits(written, style);
    const index = votes.indexOf(row);
    votes[index] = { ...row, digits, value: written };
    return [{ target: "row", number: row.number, trueValue, writtenDigits: digits, writtenWords: row.words, kind: "digit_slip" }];
  }
  if (totalKeys.length === 0) return [];
  const key = rng.pick(totalKeys);
  const cell = totals[key];
  if (cell === null) return [];
  const trueValue = cell.value ?? 0;
  const written = slipOneDigit(trueValue, rng);
  const digits = writeDigits(written, style);
  const kind = cell.words !== null && rng.chance(0.5) ? "digit_slip" : "wrong_total";
  const words = kind === "wrong_total" && cell.words !== null ? writeWords(written, "ballots", rng) : cell.words;
  totals[key] = { ...cell, digits, words, value: written };
  return [{ target: "total", key, trueValue, writtenDigits: digits, writtenWords: words, kind }];
}

/** A consistent synthetic form (plus at most one injected inconsistency), as it is written on paper. */
export function generateSynthForm(rng: Rng, options: SynthTruthOptions): SynthForm {
  const { formCode, formKind } = options;
  const style: DigitStyle = { thaiDigits: rng.chance(0.1), thousandsComma: rng.chance(0.3) };
  const zeroStyle = rng.weighted<ZeroStyle | "mixed">([
    ["blank", 3],
    ["dash", 3],
    ["zero", 1],
    ["mixed", 2],
  ]);
  const rowWords = !rng.chance(0.08);
  const counts = ballotCounts(rng, formCode);
  const location = pickLocation(rng, formCode);

  const printedRows = formKind === "party_list" ? PARTY_COUNT : CONSTITUENCY_PRINTED_ROWS;
  const standing = formKind === "party_list" ? PARTY_COUNT : rng.int(2, CONSTITUENCY_PRINTED_ROWS);
  const weights = voteWeights(rng, formKind, standing);
  const values = allocate(counts.good, weights);
  const partyNames = inventPartyNames(rng, formKind === "party_list" ? PARTY_COUNT : standing);

  const labels: RowLabel[] = [];
  const votes: VoteRow[] = [];
  for (let number = 1; number <= Math.min(standing, printedRows); number++) {
    const value = values[number - 1] ?? 0;
    const zero: ZeroStyle = zeroStyle === "mixed" ? rng.pick(["blank", "dash", "zero"] as const) : zeroStyle;
    const cell = numberCell(value, rng, style, {
      words: rowWords,
      context: "votes",
      zero: formKind === "constituency" && zero === "blank" ? "dash" : zero,
    });
    votes.push({ ...cell, number, page: formKind === "constituency" ? 1 : number <= 10 ? 1 : number <= 34 ? 2 : 3 });
    const partyName = partyNames[number - 1] ?? "";
    labels.push(
      formKind === "party_list"
        ? { number, name: partyName, party: null }
        : { number, name: inventPersonName(rng), party: `พรรค${partyName}` },
    );
  }

  const totals = emptyTotals();
  const ballots = (value: number | null, words: boolean): NumberCell | null =>
    value === null ? null : numberCell(value, rng, style, { words, context: "ballots", zero: rng.chance(0.7) ? "dash" : "zero" });
  const totalsHaveWords = rng.chance(0.85);
  totals.eligibleVoters = ballots(counts.eligible, totalsHaveWords);
  totals.votersTurnedUp = ballots(counts.turnedUp, totalsHaveWords);
  totals.envelopes = ballots(counts.envelopes, false);
  totals.ballotsInEnvelopes = ballots(counts.envelopes, false);
  totals.ballotsReceived = ballots(counts.received, formCode === "5/18" && totalsHaveWords);
  totals.ballotsUsed = ballots(counts.used, totalsHaveWords);
  totals.ballotsRemaining = ballots(counts.remaining, totalsHaveWords);
  totals.good = ballots(counts.good, totalsHaveWords || rng.chance(0.5));
  totals.bad = ballots(counts.bad, totalsHaveWords);
  totals.noVote = ballots(counts.noVote, totalsHaveWords);
  totals.voteTotal = numberCell(counts.good, rng, style, { words: rng.chance(0.7), context: "votes", zero: "zero" });

  const injected = rng.chance(options.errorRate) ? inject(rng, totals, votes, style) : [];
  const correctable = votes.filter((row) => row.mark === "digits" && (row.value ?? 0) > 0);
  const corrected = correctable.length > 0 && rng.chance(0.2) ? rng.pick(correctable) : null;
  const corrections: Correction[] = corrected
    ? [{ number: corrected.number, struckDigits: writeDigits(slipOneDigit(corrected.value ?? 1, rng), style) }]
    : [];
  const committee = Array.from({ length: 9 }, () => inventPersonName(rng));
  return {
    formCode,
    formKind,
    location,
    setNumberBlank: formCode !== "5/18" && rng.chance(0.1),
    totals,
    votes,
    labels,
    digitStyle: style,
    injected,
    corrections,
    announceDate: { day: formCode === "5/18" ? 8 : rng.int(1, 8), month: 2, yearBE: 2569 },
    committee,
  };
}

/** The truth of a synthetic form as a FormResult: exactly what a perfect reader would report. */
export function synthFormToResult(
  form: SynthForm,
  document: { id: string; sources: readonly SourceFile[]; pages: readonly PageInfo[] },
): FormResult {
  const reasons = form.injected.map((error) =>
    error.target === "row"
      ? `injected ${error.kind} in row ${error.number}: written ${error.writtenDigits}, true ${error.trueValue}`
      : `injected ${error.kind} in total ${error.key}: written ${error.writtenDigits}, true ${error.trueValue}`,
  );
  return {
    schemaVersion: 1,
    document: { id: document.id, sources: [...document.sources], pages: [...document.pages] },
    formCode: form.formCode,
    formKind: form.formKind,
    location: form.location,
    totals: form.totals,
    votes: [...form.votes],
    checks: [],
    status: form.injected.length === 0 ? "verified" : "needs_review",
    reasons,
    provenance: { ...EMPTY_PROVENANCE, provider: "synth", model: null },
  };
}
