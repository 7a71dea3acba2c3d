import { summariseForm, sumOfVotes } from "../aggregate/form-summary.js";
import { failedDigest, reviewDigest, type Sentence } from "../aggregate/review-digest.js";
import type { FormResult, Status } from "../forms/form-result.js";
import type { PathMetadata } from "../forms/path-metadata.js";

/**
 * One line of the results list and the review queue, kept beside each stored result so that
 * paging, filtering and sorting at national size run in the store (SQLite indexes) instead of
 * rebuilding every result in memory. Numbers only where they are known (null = unknown).
 */
export interface ResultRow {
  readonly id: string;
  /** The first source's stored path (the web shows it relative to its uploads folder). */
  readonly path: string;
  readonly status: Status;
  readonly formCode: string | null;
  readonly province: string | null;
  readonly constituency: number | null;
  readonly district: string | null;
  readonly subdistrict: string | null;
  readonly unit: number | null;
  readonly ballotsUsed: number | null;
  readonly good: number | null;
  readonly bad: number | null;
  readonly noVote: number | null;
  readonly voteTotal: number | null;
  readonly sumOfVotes: number | null;
  readonly failedChecks: number;
  /** Review rank: higher first (see reviewDigest's impact); 0 when nothing needs a person. */
  readonly priority: number;
  /** What the rank means, e.g. "up to 428 votes unconfirmed (3 cells)". */
  readonly impact: Sentence;
  /** One sentence per doubted cell, then the form's own problems. */
  readonly sentences: readonly Sentence[];
  /** The checks' own reasons, as stored (rule ids included): for exports and logs. */
  readonly reasons: readonly string[];
  readonly edited: boolean;
  readonly approvedBy: string | null;
  readonly approvedAsWritten: boolean;
}

export const RESULT_SORT_KEYS = [
  "path",
  "status",
  "province",
  "constituency",
  "unit",
  "good",
  "bad",
  "noVote",
  "voteTotal",
  "priority",
] as const;
export type ResultSortKey = (typeof RESULT_SORT_KEYS)[number];

export interface ResultQuery {
  readonly status?: Status;
  /** Substring of the path, province, district or subdistrict (case-insensitive). */
  readonly text?: string;
  readonly province?: string;
  readonly constituency?: number;
  /** Only forms a person still has to look at: not verified and not approved. */
  readonly queue?: boolean;
  readonly sort: ResultSortKey;
  readonly descending: boolean;
  readonly offset: number;
  readonly limit: number;
}

export interface ResultPage {
  /** Rows matching the filters (all pages). */
  readonly total: number;
  readonly rows: readonly ResultRow[];
}

/** The text a search looks in, lower-cased. */
export function searchTextOf(row: ResultRow): string {
  return `${row.path} ${row.province ?? ""} ${row.district ?? ""} ${row.subdistrict ?? ""}`.normalize("NFC").toLowerCase();
}

export function needsPerson(row: ResultRow): boolean {
  return row.status !== "verified" && row.approvedBy === null;
}

export function resultRowOf(result: FormResult): ResultRow {
  const summary = summariseForm(result);
  const digest = reviewDigest(result);
  return {
    id: result.document.id,
    path: summary.path,
    status: result.status,
    formCode: result.formCode,
    province: result.location.province,
    constituency: result.location.constituency,
    district: result.location.district,
    subdistrict: result.location.subdistrict,
    unit: result.location.unit,
    ballotsUsed: summary.counts.ballotsUsed,
    good: summary.counts.good,
    bad: summary.counts.bad,
    noVote: summary.counts.noVote,
    voteTotal: summary.counts.voteTotal,
    sumOfVotes: sumOfVotes(summary),
    failedChecks: summary.failedChecks.length,
    priority: result.review ? 0 : digest.impact,
    impact: digest.impactText,
    sentences: [...digest.cells.map((c) => c.sentence), ...digest.form],
    reasons: result.reasons,
    edited: summary.edited,
    approvedBy: result.review?.approvedBy ?? null,
    approvedAsWritten: result.review?.asWritten === true,
  };
}

/** The same filters and order as the SQLite store, for the in-memory store. */
export function queryRowsInMemory(rows: readonly ResultRow[], query: ResultQuery): ResultPage {
  const needle = query.text?.normalize("NFC").toLowerCase();
  const matching = rows.filter(
    (row) =>
      (query.status === undefined || row.status === query.status) &&
      (query.province === undefined || row.province === query.province) &&
      (query.constituency === undefined || row.constituency === query.constituency) &&
      (query.queue !== true || needsPerson(row)) &&
      (needle === undefined || needle === "" || searchTextOf(row).includes(needle)),
  );
  const key = query.sort;
  const sign = query.descending ? -1 : 1;
  matching.sort((a, b) => compareNullsLast(a[key], b[key], sign) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { total: matching.length, rows: matching.slice(query.offset, query.offset + query.limit) };
}

function compareNullsLast(a: string | number | null, b: string | number | null, sign: number): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return sign * (a < b ? -1 : 1);
}

/** The row of a document refused before it could be read (no result is stored for it). */
export function failedDocumentRow(doc: {
  readonly id: string;
  readonly primaryPath: string;
  readonly pathMetadata: PathMetadata | null;
  readonly error: { readonly message: string } | null | undefined;
}): ResultRow {
  const meta = doc.pathMetadata;
  const message = doc.error?.message ?? "the file could not be read";
  const digest = failedDigest(message);
  return {
    id: doc.id,
    path: doc.primaryPath,
    status: "failed",
    formCode: meta?.formCode?.value ?? null,
    province: meta?.province?.value ?? null,
    constituency: meta?.constituency?.value ?? null,
    district: meta?.district?.value ?? null,
    subdistrict: meta?.subdistrict?.value ?? null,
    unit: meta?.unit?.value ?? null,
    ballotsUsed: null,
    good: null,
    bad: null,
    noVote: null,
    voteTotal: null,
    sumOfVotes: null,
    failedChecks: 0,
    priority: digest.impact,
    impact: digest.impactText,
    sentences: digest.form,
    reasons: [message],
    edited: false,
    approvedBy: null,
    approvedAsWritten: false,
  };
}
