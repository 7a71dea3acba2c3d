import type { Witness } from "../forms/evidence.js";
import type { FormResult, NumberCell, TotalKey } from "../forms/form-result.js";
import { digitsValue, wordsValue } from "../verify/cell-checks.js";
import { allCells, type CellRef, sumValue } from "../verify/cells.js";
import { locateMisreads } from "../verify/locate.js";
import { evaluate, formEquations } from "../verify/sum-checks.js";
import { neededCells } from "../verify/verdict.js";

/** A sentence in both of the UI's languages. */
export interface Sentence {
  readonly th: string;
  readonly en: string;
}

/** Why one cell needs a person, most telling first. */
export const DOUBT_CODES = ["disputed", "digits_words", "unread", "unparsed", "sum", "single"] as const;
export type DoubtCode = (typeof DOUBT_CODES)[number];

export interface DoubtedCell {
  /** "votes.N" (printed row number) or "totals.<key>": the edit endpoint's field. */
  readonly field: string;
  readonly code: DoubtCode;
  /** The value a person is most likely to confirm (digits as read, or what closes the sums), when there is one. */
  readonly proposed: number | null;
  readonly sentence: Sentence;
}

export interface ReviewDigest {
  /** One entry per doubted cell, in form order (vote rows, then totals). */
  readonly cells: readonly DoubtedCell[];
  /** Problems not tied to one cell (a missing line, a row numbering problem, an unreadable file). */
  readonly form: readonly Sentence[];
  /** Upper bound of the votes in doubted vote rows (capped by the good ballots); null when nothing bounds it. */
  readonly votesAtStake: number | null;
  /** Ranks the review queue: unreadable files first, then most votes at stake, then most doubted cells. */
  readonly impact: number;
  readonly impactText: Sentence;
}

/** Unreadable files rank above every form with numbers. */
export const FAILED_PRIORITY = 3_000_000_000;

const TOTAL_NAMES: Readonly<Record<TotalKey, Sentence>> = {
  eligibleVoters: { th: "ผู้มีสิทธิเลือกตั้ง", en: "Eligible voters" },
  votersTurnedUp: { th: "ผู้มาใช้สิทธิ", en: "Voters who came" },
  envelopes: { th: "ซองที่ได้รับ", en: "Envelopes" },
  ballotsInEnvelopes: { th: "บัตรในซอง", en: "Ballots in envelopes" },
  ballotsReceived: { th: "บัตรที่ได้รับ", en: "Ballots received" },
  ballotsUsed: { th: "บัตรที่ใช้", en: "Ballots used" },
  ballotsRemaining: { th: "บัตรที่เหลือ", en: "Ballots remaining" },
  good: { th: "บัตรดี", en: "Good ballots" },
  bad: { th: "บัตรเสีย", en: "Bad ballots" },
  noVote: { th: "บัตรไม่เลือกผู้ใด", en: "No-vote ballots" },
  voteTotal: { th: "รวมคะแนนทั้งสิ้น", en: "The vote total line" },
};

function refName(ref: CellRef): Sentence {
  return ref.kind === "row" ? { th: `หมายเลข ${ref.number}`, en: `Row ${ref.number}` } : TOTAL_NAMES[ref.key];
}

export function fieldOf(ref: CellRef): string {
  return ref.kind === "row" ? `votes.${ref.number}` : `totals.${ref.key}`;
}

const n = (value: number): string => value.toLocaleString("en-US");

/** The value to confirm, as the tail of a sentence (empty when there is none). */
function proposalText(proposed: number | null): Sentence {
  return proposed === null ? { th: "", en: "" } : { th: ` ค่าที่น่าจะถูกคือ ${n(proposed)}`, en: ` It is most likely ${n(proposed)}.` };
}

function sentenceFor(ref: CellRef, cell: NumberCell, code: DoubtCode, proposed: number | null, sum: SumFailure | null): Sentence {
  const name = refName(ref);
  const proposal = proposalText(proposed);
  switch (code) {
    case "unread":
      return {
        th: `${name.th}: อ่านตัวเลขไม่ออก ต้องดูจากภาพ${proposal.th}`,
        en: `${name.en}: the number could not be read; check it on the image.${proposal.en}`,
      };
    case "unparsed":
      return {
        th: `${name.th}: ตัวเลขที่อ่านได้ "${cell.digits}" ไม่ใช่ตัวเลขที่ถูกต้อง${proposal.th}`,
        en: `${name.en}: "${cell.digits}" as read is not a number.${proposal.en}`,
      };
    case "digits_words": {
      const digits = digitsValue(cell) ?? cell.value;
      const words = wordsValue(cell);
      return {
        th: `${name.th}: ตัวเลขเขียน ${digits === null ? "?" : n(digits)} แต่ตัวหนังสือเขียน ${words === null ? "?" : n(words)}`,
        en: `${name.en}: the digits say ${digits === null ? "?" : n(digits)} but the words say ${words === null ? "?" : n(words)}.`,
      };
    }
    case "sum":
      return sum === null
        ? {
            th: `${name.th}: ผลรวมไม่ตรง ช่องนี้อาจอ่านผิด${proposal.th}`,
            en: `${name.en}: the sums do not add up and this cell may be misread.${proposal.en}`,
          }
        : {
            th: `${name.th}: อาจอ่านผิด เพราะ${sum.text.th}${proposal.th}`,
            en: `${name.en} may be misread: ${sum.text.en}${proposal.en}`,
          };
    case "disputed": {
      const readings = readingsOf(cell);
      return readings.length < 2
        ? { th: `${name.th}: ผู้อ่านอ่านได้ไม่ตรงกัน`, en: `${name.en}: the readers disagree.` }
        : {
            th: `${name.th}: อ่านได้ไม่ตรงกัน — ${readings.map((r) => `${WITNESS_NAMES[r.kind].th} ${r.value}`).join(", ")}`,
            en: `${name.en}: the readers disagree: ${readings.map((r) => `${WITNESS_NAMES[r.kind].en} ${r.value}`).join(", ")}.`,
          };
    }
    case "single":
      return {
        th: `${name.th}: มีผู้อ่านเพียงรายเดียว ยืนยันด้วยการกด Enter`,
        en: `${name.en}: only one reader saw this value; press Enter to confirm it.`,
      };
  }
}

const WITNESS_NAMES: Readonly<Record<Witness["kind"], Sentence>> = {
  model: { th: "โมเดลอ่านได้", en: "the model read" },
  local: { th: "ตัวอ่านในเครื่องอ่านได้", en: "the offline reader read" },
  crop: { th: "โมเดลอ่านภาพตัดได้", en: "the model's crop re-read gave" },
  second_model: { th: "โมเดลที่สองอ่านได้", en: "the second model read" },
  person: { th: "ผู้ตรวจใส่", en: "a person entered" },
};

/** Each witness's value once, "?" for one that could not read the cell. */
function readingsOf(cell: NumberCell): { kind: Witness["kind"]; value: string }[] {
  const out: { kind: Witness["kind"]; value: string }[] = [];
  for (const w of cell.witnesses ?? []) {
    const value = w.value === null ? "?" : n(w.value);
    if (!out.some((o) => o.kind === w.kind && o.value === value)) out.push({ kind: w.kind, value });
  }
  return out;
}

interface SumFailure {
  readonly rule: string;
  readonly refs: readonly CellRef[];
  readonly text: Sentence;
}

const SUM_SIDES: Readonly<Record<string, readonly [Sentence, Sentence]>> = {
  "votes-sum-good": [
    { th: "คะแนนรวมกันได้", en: "the votes add up to" },
    { th: "บัตรดี", en: "good ballots are" },
  ],
  "vote-total-sum": [
    { th: "คะแนนรวมกันได้", en: "the votes add up to" },
    { th: "บรรทัดรวมคะแนน", en: "the vote total line says" },
  ],
  "vote-total-good": [
    { th: "บรรทัดรวมคะแนน", en: "the vote total line says" },
    { th: "บัตรดี", en: "good ballots are" },
  ],
  "ballots-sum": [
    { th: "บัตรดี + บัตรเสีย + ไม่เลือกผู้ใด ได้", en: "good + bad + no-vote come to" },
    { th: "บัตรที่ใช้", en: "ballots used are" },
  ],
  "ballots-received-balance": [
    { th: "บัตรที่ใช้ + บัตรที่เหลือ ได้", en: "ballots used + remaining come to" },
    { th: "บัตรที่ได้รับ", en: "ballots received are" },
  ],
};

function sumFailures(result: FormResult): SumFailure[] {
  return formEquations(result)
    .map(evaluate)
    .filter((e) => e.delta !== null && e.delta !== 0)
    .map((e) => {
      const sides = SUM_SIDES[e.equation.rule] ?? [
        { th: e.equation.leftLabel, en: e.equation.leftLabel },
        { th: e.equation.rightLabel, en: e.equation.rightLabel },
      ];
      return {
        rule: e.equation.rule,
        refs: e.equation.terms.map((t) => t.ref),
        text: {
          th: `${sides[0].th} ${n(e.left ?? 0)} แต่${sides[1].th} ${n(e.right ?? 0)}`,
          en: `${sides[0].en} ${n(e.left ?? 0)} but ${sides[1].en} ${n(e.right ?? 0)}.`,
        },
      };
    });
}

/** Problems of the whole form, from failing hard checks that name no cell. */
const FORM_SENTENCES: Readonly<Record<string, Sentence>> = {
  "good-present": { th: "ไม่พบบรรทัดบัตรดี จึงตรวจคะแนนไม่ได้", en: "The good-ballots line was not read, so the votes cannot be checked." },
  "form-kind-known": { th: "ไม่ทราบว่าเป็นแบบแบ่งเขตหรือบัญชีรายชื่อ", en: "The form kind (constituency or party list) is not known." },
  "candidate-rows": { th: "หมายเลขผู้สมัครซ้ำหรือเกินจำนวน", en: "Candidate numbers repeat or fall outside the list." },
  "row-numbers-unique": { th: "มีหมายเลขที่อ่านได้ซ้ำกัน", en: "Some row numbers were read more than once." },
  "party-list-complete": { th: "ไม่ครบทุกพรรค หรือมีพรรคซ้ำ", en: "Not every party appears exactly once." },
  "reference-province": { th: "จังหวัดไม่ตรงกับข้อมูลอ้างอิง", en: "The province is not in the reference data." },
  "reference-constituency": { th: "เขตเลือกตั้งไม่ตรงกับข้อมูลอ้างอิง", en: "The constituency is not in the reference data." },
  "reference-candidate-rows": { th: "หมายเลขผู้สมัครไม่ตรงกับข้อมูลอ้างอิง", en: "Candidate numbers do not match the reference data." },
};

const CELL_RULES = new Set(["cell-value", "cell-legible", "digits-parse", "digits-words"]);

/** The digest of a file that could not be read: no cells, the reason, first in the queue. */
export function failedDigest(message: string): ReviewDigest {
  return {
    cells: [],
    form: [{ th: `อ่านไฟล์นี้ไม่ได้: ${message}`, en: `This file could not be read: ${message}` }],
    votesAtStake: null,
    impact: FAILED_PRIORITY,
    impactText: { th: "ยังไม่มีคะแนนจากไฟล์นี้เลย", en: "no votes read from this file" },
  };
}

/**
 * What a reviewer needs to know about one form: each doubted cell once, with one sentence in Thai
 * and English, the value to confirm, and the votes at stake. Pure; works on the stored result.
 */
export function reviewDigest(result: FormResult): ReviewDigest {
  if (result.status === "failed") return failedDigest(result.error?.message ?? "");
  if (result.status === "verified") {
    return { cells: [], form: [], votesAtStake: 0, impact: 0, impactText: { th: "ยืนยันแล้ว", en: "confirmed" } };
  }
  const suspects = locateMisreads(result);
  const sums = sumFailures(result);
  const failingCellRefs = new Map<string, Set<string>>();
  for (const check of result.checks) {
    if (check.ok || check.severity !== "error") continue;
    for (const row of check.rows ?? []) add(failingCellRefs, `votes.${row}`, check.rule);
    for (const key of check.totals ?? []) add(failingCellRefs, `totals.${key}`, check.rule);
  }
  const needed = new Set(neededCells(result).map(fieldOf));
  const cells: DoubtedCell[] = [];
  for (const { ref, cell } of allCells(result)) {
    const field = fieldOf(ref);
    const rules = failingCellRefs.get(field) ?? new Set<string>();
    const suspect = suspects.find((s) => fieldOf(s.ref) === field) ?? null;
    const corrected = cell.edit !== undefined && sumValue(ref, cell) !== null;
    let code: DoubtCode | null = null;
    if (!corrected) {
      if (rules.has("digits-words")) code = "digits_words";
      else if (sumValue(ref, cell) === null && (cell.mark === "illegible" || needed.has(field))) code = "unread";
      else if (rules.has("digits-parse")) code = "unparsed";
      else if (rules.has("cell-legible") || rules.has("cell-value")) code = "unread";
    }
    if (!corrected && cell.verdict === "disputed") code = "disputed";
    // A value a person entered is theirs to vouch for: it is never doubted again.
    if (code === null && !corrected && (suspect !== null || [...rules].some((rule) => rule in SUM_SIDES))) code = "sum";
    if (code === null && !corrected && cell.verdict === "single") code = "single";
    if (code === null) continue;
    const proposed = proposalFor(ref, cell, suspect?.likelyValue ?? null, result);
    const sum = code === "sum" ? (sums.find((s) => s.refs.some((r) => fieldOf(r) === field)) ?? null) : null;
    cells.push({ field, code, proposed, sentence: sentenceFor(ref, cell, code, proposed, sum) });
  }
  // A needed line the reader did not find at all is entered like an unread cell.
  if (result.totals.good === null && result.checks.some((c) => c.rule === "good-present" && !c.ok)) {
    const proposed = result.totals.voteTotal?.value ?? null;
    const name = TOTAL_NAMES.good;
    const hint = proposalText(proposed);
    cells.push({
      field: "totals.good",
      code: "unread",
      proposed,
      sentence: {
        th: `${name.th}: ไม่พบบรรทัดนี้ ต้องดูจากภาพ${hint.th}`,
        en: `${name.en}: the line was not found; check it on the image.${hint.en}`,
      },
    });
  }
  const doubtedFields = new Set(cells.map((c) => c.field));
  const form: Sentence[] = [];
  const seen = new Set<string>();
  for (const check of result.checks) {
    if (check.ok || check.severity !== "error" || CELL_RULES.has(check.rule) || seen.has(check.rule)) continue;
    if (check.rule === "good-present" && doubtedFields.has("totals.good")) continue;
    const named = [...(check.rows ?? []).map((r) => `votes.${r}`), ...(check.totals ?? []).map((k) => `totals.${k}`)];
    if (named.length > 0 && named.some((f) => doubtedFields.has(f))) continue;
    seen.add(check.rule);
    const sum = sums.find((s) => s.rule === check.rule);
    if (sum) form.push({ th: `ผลรวมไม่ตรง: ${sum.text.th}`, en: `The sums do not add up: ${sum.text.en}` });
    else form.push(FORM_SENTENCES[check.rule] ?? { th: `การตรวจไม่ผ่าน: ${check.detail}`, en: `A check failed: ${check.detail}` });
  }
  const votesAtStake = stakeOf(result, cells);
  const doubtedTotals = cells.filter((c) => c.field.startsWith("totals.")).length;
  // Forms whose only gap is single-witness cells rank lowest: one keystroke per cell settles them.
  const onlySingle = form.length === 0 && cells.length > 0 && cells.every((c) => c.code === "single");
  const impact = onlySingle ? Math.min(cells.length, 999) : 1000 + (votesAtStake ?? 0) * 1000 + Math.min(cells.length + form.length, 999);
  const text = onlySingle
    ? {
        th: `มีผู้อ่านรายเดียว ${cells.length} ช่อง ยืนยันทีละช่องด้วย Enter`,
        en: `${cells.length} cell${cells.length === 1 ? "" : "s"} rest on one reader; confirm each with Enter`,
      }
    : impactText(votesAtStake, cells.length, doubtedTotals);
  return { cells, form, votesAtStake, impact: Math.max(impact, 1), impactText: text };
}

function add(map: Map<string, Set<string>>, field: string, rule: string): void {
  let rules = map.get(field);
  if (!rules) {
    rules = new Set();
    map.set(field, rules);
  }
  rules.add(rule);
}

/** The digits as read when they parse; else what closes the failing sums; else what the only unknown of a sum must be. */
function proposalFor(ref: CellRef, cell: NumberCell, likely: number | null, result: FormResult): number | null {
  if (likely !== null) return likely;
  const read = digitsValue(cell);
  if (read !== null && cell.mark === "digits") return cell.value ?? read;
  for (const evaluated of formEquations(result).map(evaluate)) {
    if (evaluated.unknown.length !== 1 || fieldOf(evaluated.unknown[0]!) !== fieldOf(ref)) continue;
    const term = evaluated.equation.terms.find((t) => fieldOf(t.ref) === fieldOf(ref));
    if (!term) continue;
    let others = 0;
    for (const t of evaluated.equation.terms) if (t !== term) others += t.sign * (sumValue(t.ref, t.cell) ?? 0);
    const value = -others * term.sign;
    if (Number.isInteger(value) && value >= 0) return value;
  }
  return cell.value;
}

/** Votes in the doubted vote rows: their values, an unread row at most what the good ballots leave. */
function stakeOf(result: FormResult, cells: readonly DoubtedCell[]): number | null {
  const doubtedRows = new Set(
    cells.filter((c) => c.field.startsWith("votes.") && c.code !== "single").map((c) => Number(c.field.slice(6))),
  );
  if (doubtedRows.size === 0) return 0;
  const good = result.totals.good ? sumValue({ kind: "total", key: "good" }, result.totals.good) : null;
  const cap = good ?? (result.totals.voteTotal ? sumValue({ kind: "total", key: "voteTotal" }, result.totals.voteTotal) : null);
  let confirmed = 0;
  let atStake = 0;
  let unbounded = false;
  for (const row of result.votes) {
    const value = sumValue({ kind: "row", number: row.number }, row);
    if (!doubtedRows.has(row.number)) confirmed += value ?? 0;
    else if (value !== null) atStake += value;
    else unbounded = true;
  }
  if (cap === null) return unbounded ? null : atStake;
  const left = Math.max(0, cap - confirmed);
  return unbounded ? left : Math.min(atStake, Math.max(left, atStake));
}

function impactText(votes: number | null, cells: number, totals: number): Sentence {
  const cellsTh = `${cells} ช่อง`;
  const cellsEn = `${cells} cell${cells === 1 ? "" : "s"}`;
  if (votes === null) return { th: `ยังไม่ทราบจำนวนคะแนนที่ยังไม่ยืนยัน (${cellsTh})`, en: `votes unconfirmed, amount unknown (${cellsEn})` };
  if (votes === 0 && cells === 0) return { th: "ต้องตรวจทั้งฉบับ", en: "the whole form needs a look" };
  if (votes === 0)
    return {
      th: `คะแนนครบ แต่ยอดบัตรยังไม่ยืนยัน ${totals} ช่อง`,
      en: `votes confirmed; ${totals} ballot total${totals === 1 ? "" : "s"} unconfirmed`,
    };
  return { th: `คะแนนยังไม่ยืนยันสูงสุด ${n(votes)} คะแนน (${cellsTh})`, en: `up to ${n(votes)} votes unconfirmed (${cellsEn})` };
}
