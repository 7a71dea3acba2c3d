import path from "node:path";
import { reviewPriority } from "../aggregate/review-queue.js";
import { summariseForm, sumOfVotes } from "../aggregate/form-summary.js";
import type { FormResult } from "../forms/form-result.js";

/** One line of the documents table: what the page shows and sorts by, no cell details. */
export interface DocumentRow {
  readonly id: string;
  readonly path: string;
  readonly status: FormResult["status"];
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
  readonly priority: number;
  readonly reasons: readonly string[];
  readonly edited: boolean;
  readonly approvedBy: string | null;
}

/** Paths are shown relative to the uploads folder, never as server paths. */
export function displayPath(file: string, uploadsRoot: string): string {
  const relative = path.relative(path.resolve(uploadsRoot), path.resolve(uploadsRoot, file));
  if (relative.startsWith("..") || path.isAbsolute(relative)) return path.basename(file);
  return relative.split(path.sep).join("/");
}

export function toDocumentRow(result: FormResult, uploadsRoot: string): DocumentRow {
  const summary = summariseForm(result);
  return {
    id: result.document.id,
    path: displayPath(summary.path, uploadsRoot),
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
    priority: reviewPriority(summary),
    reasons: result.reasons,
    edited: summary.edited,
    approvedBy: result.review?.approvedBy ?? null,
  };
}

export const SORT_KEYS = [
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
export type SortKey = (typeof SORT_KEYS)[number];

export interface RowQuery {
  readonly status?: FormResult["status"];
  readonly text?: string;
  readonly province?: string;
  readonly constituency?: number;
  readonly sort: SortKey;
  readonly descending: boolean;
  readonly offset: number;
  readonly limit: number;
}

export function queryRows(rows: readonly DocumentRow[], query: RowQuery): { total: number; rows: DocumentRow[] } {
  const needle = query.text?.normalize("NFC").toLowerCase();
  const matching = rows.filter(
    (row) =>
      (query.status === undefined || row.status === query.status) &&
      (query.province === undefined || row.province === query.province) &&
      (query.constituency === undefined || row.constituency === query.constituency) &&
      (needle === undefined ||
        needle === "" ||
        `${row.path} ${row.province ?? ""} ${row.district ?? ""} ${row.subdistrict ?? ""}`.toLowerCase().includes(needle)),
  );
  const key = query.sort;
  const sign = query.descending ? -1 : 1;
  matching.sort((a, b) => sign * compare(a[key], b[key]) || a.path.localeCompare(b.path));
  return { total: matching.length, rows: matching.slice(query.offset, query.offset + query.limit) };
}

function compare(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), "th");
}
