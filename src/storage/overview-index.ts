import type Database from "better-sqlite3";
import { summariseForm, withoutTexts } from "../aggregate/form-summary.js";
import { decodeSummary, encodeSummary } from "../aggregate/form-summary-codec.js";
import { type AreaPart, analyseArea, overviewAreaOf, type StoredOverview } from "../aggregate/overview-areas.js";
import type { FormResult, Status } from "../forms/form-result.js";

/**
 * The overview's tables (schema v5): one compact summary per stored result (and per document
 * refused before it was read), and one part per constituency (see aggregate/overview-areas.ts).
 * Every write of a result rewrites its summary and clears the part of the constituencies it
 * leaves and joins, in the write's own transaction; reading the overview recomputes the cleared
 * parts from their summaries only, so after one edit it reads one constituency, not the batch.
 */
export const OVERVIEW_SCHEMA = `
CREATE TABLE IF NOT EXISTS overview_forms (
  area TEXT NOT NULL,
  ord INTEGER NOT NULL,
  document_id TEXT NOT NULL UNIQUE REFERENCES documents(id),
  status TEXT NOT NULL,
  summary TEXT NOT NULL,
  PRIMARY KEY (area, ord)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS overview_forms_status ON overview_forms(status);
CREATE TABLE IF NOT EXISTS overview_areas (
  area TEXT PRIMARY KEY,
  part TEXT
);
`;

/**
 * The rows are kept in (constituency, order) order: a constituency's summaries share pages, so
 * recomputing a part reads a few pages, not one page per form scattered over the whole file.
 * Forms of unknown kind belong to no part; they are kept under this key (area keys hold a "_").
 */
const NO_AREA = "-";

/**
 * A document refused before it was read comes after every stored result in the overview's
 * order (its place is its first-seen order plus this), as the web has always listed them.
 */
export const REFUSED_ORDER = 2 ** 40;

type Sql = (source: string) => Database.Statement;

/** Stores a result's summary at its place in the batch order and clears the parts it touches. */
export function putOverviewForm(sql: Sql, result: FormResult, order: number): void {
  const form = withoutTexts(summariseForm(result));
  const before = dropRow(sql, form.documentId);
  const area = overviewAreaOf(form);
  sql("INSERT INTO overview_forms (area, ord, document_id, status, summary) VALUES (?, ?, ?, ?, ?)").run(
    area ?? NO_AREA,
    order,
    form.documentId,
    form.status,
    encodeSummary(form),
  );
  if (before !== undefined) clearPart(sql, before);
  if (area !== null && area !== before) clearPart(sql, area);
}

export function dropOverviewForm(sql: Sql, documentId: string): void {
  const before = dropRow(sql, documentId);
  if (before !== undefined) clearPart(sql, before);
}

/** Deletes a form's row; returns the area it was in, if any. */
function dropRow(sql: Sql, documentId: string): string | undefined {
  const before = sql("SELECT area FROM overview_forms WHERE document_id = ?").pluck().get(documentId) as string | undefined;
  if (before !== undefined) sql("DELETE FROM overview_forms WHERE document_id = ?").run(documentId);
  return before;
}

function clearPart(sql: Sql, area: string): void {
  if (area === NO_AREA) return;
  sql("INSERT INTO overview_areas (area, part) VALUES (?, NULL) ON CONFLICT(area) DO UPDATE SET part = NULL").run(area);
}

/**
 * The overview's parts and counts. The cleared parts are recomputed and kept in one IMMEDIATE
 * transaction: no other writer can change a constituency between reading its forms and keeping
 * its part (a part kept from forms already replaced would never be cleared again).
 */
export function readOverview(db: Database.Database, sql: Sql): StoredOverview {
  return db
    .transaction((): StoredOverview => {
      refreshParts(sql);
      const parts = (sql("SELECT part FROM overview_areas WHERE part IS NOT NULL").all() as { part: string }[]).map(
        (row) => JSON.parse(row.part) as AreaPart,
      );
      const statusCounts: Record<Status, number> = { verified: 0, needs_review: 0, failed: 0 };
      let documents = 0;
      for (const row of sql("SELECT status, COUNT(*) AS n FROM overview_forms GROUP BY status").all() as { status: Status; n: number }[]) {
        statusCounts[row.status] = row.n;
        documents += row.n;
      }
      return { documents, statusCounts, areas: parts };
    })
    .immediate();
}

/** Recomputes the cleared parts, if any, in a transaction of its own (see readOverview). */
export function refreshPartsNow(db: Database.Database, sql: Sql): void {
  if (sql("SELECT 1 FROM overview_areas WHERE part IS NULL LIMIT 1").pluck().get() === undefined) return;
  db.transaction(() => refreshParts(sql)).immediate();
}

/** Recomputes up to `limit` cleared parts in one transaction; returns how many are still cleared. */
export function refreshSomeParts(db: Database.Database, sql: Sql, limit: number): number {
  return db
    .transaction((): number => {
      refreshParts(sql, limit);
      return sql("SELECT COUNT(*) FROM overview_areas WHERE part IS NULL").pluck().get() as number;
    })
    .immediate();
}

/** Recomputes the cleared parts (all, or the first `limit`) from their forms' summaries, inside the caller's transaction. */
export function refreshParts(sql: Sql, limit = -1): void {
  const cleared = sql("SELECT area FROM overview_areas WHERE part IS NULL LIMIT ?").all(limit) as { area: string }[];
  const formsOf = sql("SELECT ord, summary FROM overview_forms WHERE area = ? ORDER BY ord");
  for (const { area } of cleared) {
    const rows = formsOf.all(area) as { ord: number; summary: string }[];
    if (rows.length === 0) {
      sql("DELETE FROM overview_areas WHERE area = ?").run(area);
      continue;
    }
    const part = analyseArea(
      area,
      rows.map((row) => ({ order: row.ord, form: decodeSummary(row.summary) })),
    );
    sql("UPDATE overview_areas SET part = ? WHERE area = ?").run(JSON.stringify(part), area);
  }
}
