import { formLayout } from "../../src/forms/form-kind.js";
import { type FormResult, type NumberCell, TOTAL_KEYS, type TotalKey } from "../../src/forms/form-result.js";
import {
  type CellReply,
  emptyHeaderReply,
  type HeaderReply,
  type ModelReply,
  type ReaskReply,
  type RowReply,
  type TotalsReply,
} from "../../src/extract/model-reply.js";

/** Which part of a form a request asks for: one page (per-page mode), or a re-ask's cells. */
export interface ReplyScope {
  /** 1-based page of the form; only what is printed on it is answered. */
  readonly page?: number | null;
}

/** The exact reply a perfect reader would give for this truth (all of it, or one page of it). */
export function modelReplyFromTruth(truth: FormResult, scope: ReplyScope = {}): ModelReply {
  const layout = scope.page != null && truth.formKind !== null ? (formLayout(truth.formKind)[scope.page - 1] ?? null) : null;
  const wholeForm = scope.page == null || truth.formKind === null;
  const hasHeader = wholeForm || (layout?.hasTotals ?? false);
  const totals = emptyTotalsReply();
  for (const key of TOTAL_KEYS) {
    const onPage = wholeForm || (key === "voteTotal" ? (layout?.hasTotalLine ?? false) : (layout?.hasTotals ?? false));
    if (onPage) totals[key] = cellReply(truth.totals[key]);
  }
  const range = layout?.rows ?? null;
  const rows = truth.votes
    .filter((row) => wholeForm || (range !== null && row.number >= range[0] && row.number <= range[1]))
    .map((row): RowReply => ({ number: row.number, digits: row.digits, words: row.words }));
  return { header: hasHeader ? headerFromTruth(truth) : emptyHeaderReply(), totals, rows };
}

/** The exact reply to a focused re-ask: only the requested rows and totals. */
export function reaskReplyFromTruth(truth: FormResult, rows: readonly number[], totals: readonly TotalKey[]): ReaskReply {
  const wanted = new Set(rows);
  const reply = emptyTotalsReply();
  for (const key of totals) reply[key] = cellReply(truth.totals[key]);
  return {
    totals: reply,
    rows: truth.votes.filter((row) => wanted.has(row.number)).map((row) => ({ number: row.number, digits: row.digits, words: row.words })),
  };
}

function headerFromTruth(truth: FormResult): HeaderReply {
  const text = (value: string | number | null) => (value === null ? null : String(value));
  return {
    formCode: truth.formCode === null ? null : `ส.ส. ${truth.formCode}`,
    formKind: truth.formKind,
    province: truth.location.province,
    constituency: text(truth.location.constituency),
    district: truth.location.district,
    subdistrict: truth.location.subdistrict,
    unit: text(truth.location.unit),
    setNumber: text(truth.location.setNumber),
    countingPlace: truth.location.countingPlace,
  };
}

function emptyTotalsReply(): { -readonly [K in keyof TotalsReply]: TotalsReply[K] } {
  return Object.fromEntries(TOTAL_KEYS.map((key) => [key, null])) as { -readonly [K in keyof TotalsReply]: TotalsReply[K] };
}

function cellReply(cell: NumberCell | null): CellReply | null {
  return cell === null ? null : { digits: cell.digits, words: cell.words };
}
