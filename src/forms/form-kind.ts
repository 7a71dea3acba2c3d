/**
 * The ECT count forms this tool reads.
 * 5/16 = advance voting in the constituency, 5/17 = advance voting outside the
 * constituency and overseas, 5/18 = one polling unit on election day.
 * Each comes as a constituency form (candidates) or a party-list form, marked "(บช)".
 */
export const FORM_CODES = ["5/16", "5/17", "5/18"] as const;
export type FormCode = (typeof FORM_CODES)[number];

export const FORM_KINDS = ["constituency", "party_list"] as const;
export type FormKind = (typeof FORM_KINDS)[number];

/** Parties on the 2026 party-list ballot. */
export const PARTY_COUNT = 57;
/** The constituency form is printed with this many candidate rows; most constituencies use fewer. */
export const CONSTITUENCY_PRINTED_ROWS = 10;

export type PageRole = "counts" | "signatures";

export interface PageLayout {
  readonly role: PageRole;
  /** Inclusive range of row numbers printed on this page, when it holds vote rows. */
  readonly rows: readonly [number, number] | null;
  /** Whether the header and the ballot totals are on this page. */
  readonly hasTotals: boolean;
  /** Whether the "รวมคะแนนทั้งสิ้น" total line is on this page. */
  readonly hasTotalLine: boolean;
}

const CONSTITUENCY_LAYOUT: readonly PageLayout[] = [
  { role: "counts", rows: [1, CONSTITUENCY_PRINTED_ROWS], hasTotals: true, hasTotalLine: true },
  { role: "signatures", rows: null, hasTotals: false, hasTotalLine: false },
];

const PARTY_LIST_LAYOUT: readonly PageLayout[] = [
  { role: "counts", rows: [1, 10], hasTotals: true, hasTotalLine: false },
  { role: "counts", rows: [11, 34], hasTotals: false, hasTotalLine: false },
  { role: "counts", rows: [35, PARTY_COUNT], hasTotals: false, hasTotalLine: true },
  { role: "signatures", rows: null, hasTotals: false, hasTotalLine: false },
];

/** The printed layout of a form kind, page by page. */
export function formLayout(kind: FormKind): readonly PageLayout[] {
  return kind === "constituency" ? CONSTITUENCY_LAYOUT : PARTY_LIST_LAYOUT;
}

export function isFormCode(value: string): value is FormCode {
  return (FORM_CODES as readonly string[]).includes(value);
}

/** Thai display label, e.g. "ส.ส. 5/18 (บช)". */
export function formLabel(code: FormCode | null, kind: FormKind | null): string {
  const base = code ? `ส.ส. ${code}` : "ส.ส. ?";
  return kind === "party_list" ? `${base} (บช)` : base;
}
