import { CONSTITUENCY_PRINTED_ROWS, type FormCode, type FormKind, formLayout, isFormCode, PARTY_COUNT } from "../forms/form-kind.js";
import {
  type Check,
  type CheckRule,
  EMPTY_PROVENANCE,
  type FormResult,
  FORM_RESULT_SCHEMA_VERSION,
  type Location,
  type NumberCell,
  type PageInfo,
  TOTAL_KEYS,
  type TotalKey,
  type Totals,
  type VoteRow,
  emptyTotals,
} from "../forms/form-result.js";
import { findProvinceByName } from "../forms/provinces.js";
import { thaiDigitsToArabic } from "../forms/thai-digits.js";
import type { DiscoveredDocument, PreparedPage } from "../ingest/types.js";
import { checkForm } from "../verify/check-form.js";
import type { ReferenceLookup } from "../verify/reference-lookup.js";
import { cellFromReply, describeCell, isWordsOnly, sameReading } from "./cells.js";
import type { HeaderReply, ModelReply } from "./model-reply.js";

/** One model reply and the document pages it covers (all count pages, or one in per-page mode). */
export interface PageReply {
  readonly pages: readonly number[];
  readonly reply: ModelReply;
}

export interface AssembleInput {
  readonly doc: DiscoveredDocument;
  readonly pages: readonly PreparedPage[];
  readonly replies: readonly PageReply[];
  readonly reference?: ReferenceLookup | undefined;
}

/**
 * The form as read, before checks: values merged from every reply, plus notes about the merge
 * itself (conflicting duplicate reads, rows outside the form, header vs path disagreements).
 */
export interface FormDraft {
  readonly result: FormResult;
  readonly notes: readonly Check[];
}

/** Merges replies into one result, then runs the foundation checks (and the reference checks when given). */
export function assembleForm(input: AssembleInput): FormResult {
  return checkDraft(buildDraft(input), input.reference);
}

export function buildDraft(input: AssembleInput): FormDraft {
  const notes: Check[] = [];
  const header = mergeHeaders(
    input.replies.map((r) => r.reply.header),
    notes,
  );
  const meta = input.doc.pathMetadata;

  const formCode = pick(parseFormCode(header.formCode), meta.formCode?.value ?? null, "form code", notes);
  const formKind = pick(header.formKind, meta.formKind?.value ?? null, "form kind", notes);
  const location = buildLocation(header, input, notes);
  const totals = mergeTotals(input.replies, notes);
  const votes = mergeRows(input.replies, formKind, input.pages.length, input.reference, location, notes);

  const result: FormResult = {
    schemaVersion: FORM_RESULT_SCHEMA_VERSION,
    document: { id: input.doc.id, sources: [...input.doc.sources], pages: pageInfos(input.pages) },
    formCode,
    formKind,
    location,
    totals,
    votes,
    checks: [],
    status: "verified",
    reasons: [],
    provenance: { ...EMPTY_PROVENANCE },
  };
  return { result, notes };
}

/** Runs the checks on a draft and combines them with the assembly notes into status and reasons. */
export function checkDraft(draft: FormDraft, reference?: ReferenceLookup): FormResult {
  const outcome = checkForm(draft.result, reference);
  const failedNotes = draft.notes.filter((note) => !note.ok && note.severity === "error");
  const checks = [...draft.notes, ...outcome.checks];
  const status = failedNotes.length > 0 ? "needs_review" : outcome.status;
  const reasons = [...failedNotes.map((note) => note.detail), ...outcome.reasons];
  return { ...draft.result, checks, status, reasons };
}

export function pageInfos(pages: readonly PreparedPage[]): PageInfo[] {
  return pages.map((page) => ({
    index: page.index,
    role: page.role,
    sent: page.jpeg !== null,
    sourceWidth: page.sourceWidth,
    sourceHeight: page.sourceHeight,
    ...(page.jpeg !== null ? { preparedBytes: page.jpeg.length } : {}),
  }));
}

// ---------------------------------------------------------------- header and location

const HEADER_FIELDS = [
  "formCode",
  "formKind",
  "province",
  "constituency",
  "district",
  "subdistrict",
  "unit",
  "setNumber",
  "countingPlace",
] as const satisfies readonly (keyof HeaderReply)[];

/** First non-empty value of each header field across replies; differing values are noted. */
function mergeHeaders(headers: readonly HeaderReply[], notes: Check[]): HeaderReply {
  const merged: Record<string, string | null> = {};
  for (const field of HEADER_FIELDS) {
    let value: string | null = null;
    for (const header of headers) {
      const candidate = header[field]?.trim() || null;
      if (candidate === null) continue;
      if (value === null) value = candidate;
      else if (normalText(candidate) !== normalText(value)) {
        notes.push(info("header-pages-differ", `header field ${field} reads "${value}" on one page and "${candidate}" on another`));
      }
    }
    merged[field] = value;
  }
  return merged as HeaderReply;
}

export function parseFormCode(text: string | null): FormCode | null {
  if (text === null) return null;
  const match = /5\s*[/∕⁄]\s*1\s*([678])/.exec(thaiDigitsToArabic(text));
  if (!match) return null;
  const code = `5/1${match[1]}`;
  return isFormCode(code) ? code : null;
}

/** The first integer in a header field such as "เขตเลือกตั้งที่ ๓" or "3". */
export function firstInteger(text: string | null): number | null {
  if (text === null) return null;
  const match = /\d+/.exec(thaiDigitsToArabic(text));
  if (!match) return null;
  const value = Number(match[0]);
  return Number.isSafeInteger(value) ? value : null;
}

const PLACE_PREFIXES = /^(?:จังหวัด|จ\.|อำเภอ|อ\.|เขต|ตำบล|ต\.|แขวง)\s*/;

function stripPlacePrefix(text: string | null): string | null {
  if (text === null) return null;
  const stripped = text.trim().replace(PLACE_PREFIXES, "").trim();
  return stripped === "" ? null : stripped;
}

function normalText(text: string): string {
  return text.normalize("NFC").replace(/[\s.]/g, "").toLowerCase();
}

function buildLocation(header: HeaderReply, input: AssembleInput, notes: Check[]): Location {
  const meta = input.doc.pathMetadata;
  const reference = input.reference;

  let province: string | null = null;
  let provinceId: string | null = null;
  if (header.province !== null) {
    const match = reference?.findProvince(header.province) ?? null;
    if (match) {
      province = match.name;
      provinceId = match.provinceId;
    } else {
      province = findProvinceByName(header.province)?.thai ?? stripPlacePrefix(header.province);
    }
  }
  province = pick(province, meta.province?.value ?? null, "province", notes, normalText);
  if (provinceId === null && province !== null && reference) provinceId = reference.findProvince(province)?.provinceId ?? null;

  return {
    province,
    provinceId,
    constituency: pick(firstInteger(header.constituency), meta.constituency?.value ?? null, "constituency", notes),
    district: pick(stripPlacePrefix(header.district), meta.district?.value ?? null, "district", notes, normalText),
    subdistrict: pick(stripPlacePrefix(header.subdistrict), meta.subdistrict?.value ?? null, "subdistrict", notes, normalText),
    unit: pick(firstInteger(header.unit), meta.unit?.value ?? null, "unit", notes),
    setNumber: pick(firstInteger(header.setNumber), meta.setNumber?.value ?? null, "set number", notes),
    countingPlace: header.countingPlace,
  };
}

/** The form's own value wins; the path fills gaps; a disagreement is noted for the reviewer. */
function pick<T extends string | number>(
  fromForm: T | null,
  fromPath: T | null,
  label: string,
  notes: Check[],
  normal: (value: string) => string = String,
): T | null {
  if (fromForm === null) return fromPath;
  if (fromPath !== null && normal(String(fromForm)) !== normal(String(fromPath))) {
    notes.push({
      rule: "path-metadata-mismatch",
      ok: false,
      severity: "warning",
      detail: `the form says ${label} ${fromForm} but the file path says ${fromPath}`,
    });
  }
  return fromForm;
}

// ---------------------------------------------------------------- totals and rows

function mergeTotals(replies: readonly PageReply[], notes: Check[]): Totals {
  const totals = emptyTotals();
  const conflicts: TotalKey[] = [];
  const details: string[] = [];
  const wordsOnly: TotalKey[] = [];
  for (const { reply } of replies) {
    for (const key of TOTAL_KEYS) {
      const read = reply.totals[key];
      if (read === null) continue;
      const cell = cellFromReply(read);
      if (isWordsOnly(read)) wordsOnly.push(key);
      const current = totals[key];
      if (current === null || (current.mark === "blank" && cell.mark !== "blank")) {
        totals[key] = cell;
      } else if (cell.mark !== "blank" && !sameReading(current, cell)) {
        conflicts.push(key);
        details.push(`${key}: ${describeCell(current)} vs ${describeCell(cell)}`);
      }
    }
  }
  if (conflicts.length > 0) notes.push(conflictingReads("total", details, { totals: conflicts }));
  if (wordsOnly.length > 0) {
    notes.push({
      ...info("words-only", `value taken from the words where no digits were written (${wordsOnly.join(", ")})`),
      totals: wordsOnly,
    });
  }
  return totals;
}

/** Highest row number printed on the form. */
function printedRows(kind: FormKind | null): number {
  return kind === "constituency" ? CONSTITUENCY_PRINTED_ROWS : PARTY_COUNT;
}

/** The page a row is printed on, from the form layout, when the document has that page. */
function layoutPage(kind: FormKind | null, row: number, pageCount: number): number | undefined {
  if (kind === null) return undefined;
  const index = formLayout(kind).findIndex((page) => page.rows !== null && row >= page.rows[0] && row <= page.rows[1]);
  const page = index + 1;
  return index >= 0 && page <= pageCount ? page : undefined;
}

function mergeRows(
  replies: readonly PageReply[],
  kind: FormKind | null,
  pageCount: number,
  reference: ReferenceLookup | undefined,
  location: Location,
  notes: Check[],
): VoteRow[] {
  const rows = new Map<number, VoteRow>();
  const conflicts: number[] = [];
  const conflictDetails: string[] = [];
  const outside: { number: number; cell: NumberCell }[] = [];
  const wordsOnly: number[] = [];
  const maxRow = printedRows(kind);

  for (const { reply, pages } of replies) {
    for (const read of reply.rows) {
      const cell = cellFromReply(read);
      if (read.number > maxRow) {
        outside.push({ number: read.number, cell });
        continue;
      }
      if (isWordsOnly(read)) wordsOnly.push(read.number);
      const page = pages.length === 1 ? pages[0] : layoutPage(kind, read.number, pageCount);
      const row: VoteRow = { ...cell, number: read.number, ...(page !== undefined ? { page } : {}) };
      const current = rows.get(read.number);
      if (!current || (current.mark === "blank" && cell.mark !== "blank")) rows.set(read.number, row);
      else if (cell.mark !== "blank" && !sameReading(current, cell)) {
        conflicts.push(read.number);
        conflictDetails.push(`row ${read.number}: ${describeCell(current)} vs ${describeCell(cell)}`);
      }
    }
  }

  if (conflicts.length > 0) notes.push(conflictingReads("row", conflictDetails, { rows: conflicts }));
  if (outside.length > 0) {
    const nonZero = outside.filter((row) => row.cell.mark !== "blank" && row.cell.value !== 0);
    notes.push({
      rule: "rows-outside-form",
      ok: nonZero.length === 0,
      severity: nonZero.length > 0 ? "error" : "info",
      detail: `the reply has rows the form does not print (${outside.map((row) => `${row.number}: ${describeCell(row.cell)}`).join("; ")}); they are left out`,
      rows: outside.map((row) => row.number),
    });
  }
  if (wordsOnly.length > 0) {
    notes.push({
      ...info("words-only", `value taken from the words where no digits were written (rows ${wordsOnly.join(", ")})`),
      rows: wordsOnly,
    });
  }

  let expected: number | null = null;
  if (kind === "party_list") expected = reference?.partyCount() ?? PARTY_COUNT;
  else if (kind === "constituency" && reference && location.provinceId !== null && location.constituency !== null) {
    expected = reference.candidateCount(location.provinceId, location.constituency);
  }
  if (kind === "constituency" && expected !== null) {
    // Unused printed candidate rows are not candidates: drop them when they are blank.
    for (const [number, row] of rows) if (number > expected && row.mark === "blank") rows.delete(number);
  }
  const highest = Math.max(0, ...rows.keys());
  const last = expected ?? highest;
  const missing: number[] = [];
  for (let number = 1; number <= last; number++) if (!rows.has(number)) missing.push(number);
  if (missing.length > 0) {
    notes.push({
      rule: "missing-rows",
      ok: false,
      severity: "error",
      detail: `rows ${compactList(missing)} were not read`,
      rows: missing,
    });
  }
  return [...rows.values()].sort((a, b) => a.number - b.number);
}

function compactList(numbers: readonly number[]): string {
  const parts: string[] = [];
  let start = numbers[0];
  let previous = start;
  for (const n of [...numbers.slice(1), Number.NaN]) {
    if (start === undefined || previous === undefined) break;
    if (n === previous + 1) {
      previous = n;
      continue;
    }
    parts.push(start === previous ? String(start) : `${start}–${previous}`);
    start = n;
    previous = n;
  }
  return parts.join(", ");
}

/** The same cell read twice with different values: a hard finding, never settled silently. */
function conflictingReads(what: "total" | "row", details: readonly string[], cells: Pick<Check, "rows" | "totals">): Check {
  return {
    rule: "conflicting-reads",
    ok: false,
    severity: "error",
    detail: `a ${what} was read twice with different values (${details.join("; ")})`,
    ...cells,
  };
}

function info(rule: CheckRule, detail: string): Check {
  return { rule, ok: true, severity: "info", detail };
}
