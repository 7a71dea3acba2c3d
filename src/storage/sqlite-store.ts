import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { ok, type Result } from "../basics/result.js";
import type { FormResult } from "../forms/form-result.js";
import type { Status } from "../forms/form-result.js";
import type { StoredOverview } from "../aggregate/overview-areas.js";
import { failedResult } from "../forms/failed-result.js";
import {
  dropOverviewForm,
  OVERVIEW_SCHEMA,
  putOverviewForm,
  readOverview,
  REFUSED_ORDER,
  refreshParts,
  refreshPartsNow,
  refreshSomeParts,
} from "./overview-index.js";
import { planEdit } from "./result-edit.js";
import {
  failedDocumentRow,
  needsPerson,
  type ResultPage,
  type ResultQuery,
  type ResultRow,
  type ResultSortKey,
  resultRowOf,
  searchTextOf,
} from "./result-index.js";
import {
  type AttemptOutcome,
  type AttemptRecord,
  type Container,
  type DocumentFilter,
  type DocumentRecord,
  type DocumentStatus,
  type EditInput,
  type EditRecord,
  emptyStatusCounts,
  type NewDocument,
  parsePathMetadata,
  parseStoredResult,
  SourcesSchema,
  type StatusCounts,
  StoredErrorSchema,
  type KeptReply,
  type Store,
  type UpsertOutcome,
  type RequestLane,
  type UsageTotals,
  VERIFY_PURPOSE,
} from "./store.js";

/** Bump when the schema changes; older files are migrated in `migrate`. */
export const SCHEMA_VERSION = 5;

const SCHEMA_V1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  primary_path TEXT NOT NULL,
  container TEXT NOT NULL,
  sources TEXT NOT NULL,
  path_metadata TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending','verified','needs_review','failed')),
  error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX documents_status ON documents(status);
CREATE TABLE duplicate_paths (
  document_id TEXT NOT NULL REFERENCES documents(id),
  path TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  PRIMARY KEY (document_id, path)
);
CREATE TABLE attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  document_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL,
  purpose TEXT NOT NULL,
  outcome TEXT NOT NULL,
  http_status INTEGER,
  message TEXT,
  prompt_tokens INTEGER,
  completion_tokens INTEGER,
  cost_usd REAL,
  model TEXT
);
CREATE INDEX attempts_started ON attempts(started_at);
CREATE INDEX attempts_document ON attempts(document_id);
CREATE TABLE results (
  document_id TEXT PRIMARY KEY REFERENCES documents(id),
  status TEXT NOT NULL,
  json TEXT NOT NULL,
  saved_at TEXT NOT NULL
);
CREATE TABLE edits (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  document_id TEXT NOT NULL REFERENCES documents(id),
  field_path TEXT NOT NULL,
  old_value TEXT,
  new_value TEXT,
  at TEXT NOT NULL,
  by TEXT NOT NULL,
  note TEXT
);
CREATE INDEX edits_document ON edits(document_id);
`;

/**
 * v3: one indexed row per result for the results list and the review queue (see result-index.ts).
 * The filter and sort columns live in a narrow table so scans and sorts stay small; the row shown
 * is fetched by id for the page only. (v2 kept both in one table and is rebuilt.)
 */
const SCHEMA_V3 = `
DROP TABLE IF EXISTS result_index;
DROP TABLE IF EXISTS result_rows;
DROP TABLE IF EXISTS result_search;
CREATE TABLE result_index (
  document_id TEXT PRIMARY KEY REFERENCES documents(id),
  status TEXT NOT NULL,
  path TEXT NOT NULL,
  province TEXT,
  constituency INTEGER,
  unit INTEGER,
  good INTEGER,
  bad INTEGER,
  no_vote INTEGER,
  vote_total INTEGER,
  priority INTEGER NOT NULL,
  in_queue INTEGER NOT NULL,
  search TEXT NOT NULL
);
CREATE TABLE result_rows (
  document_id TEXT PRIMARY KEY REFERENCES documents(id),
  row TEXT NOT NULL
);
CREATE INDEX result_index_path ON result_index(path, document_id);
CREATE INDEX result_index_status ON result_index(status, path, document_id);
CREATE INDEX result_index_queue ON result_index(in_queue, priority DESC, path, document_id);
CREATE INDEX result_index_area ON result_index(province, constituency, path, document_id);
CREATE VIRTUAL TABLE result_search USING fts5(search, tokenize = "trigram");
`;

/** Sort keys and their columns; unknown (NULL) values sort last either way. */
const SORT_COLUMNS: Readonly<Record<ResultSortKey, string>> = {
  path: "path",
  status: "status",
  province: "province",
  constituency: "constituency",
  unit: "unit",
  good: "good",
  bad: "bad",
  noVote: "no_vote",
  voteTotal: "vote_total",
  priority: "priority",
};

interface DocumentRow {
  id: string;
  primary_path: string;
  container: string;
  sources: string;
  path_metadata: string | null;
  status: string;
  error: string | null;
  created_at: string;
  updated_at: string;
  duplicates: string | null;
}

interface AttemptRow {
  document_id: string;
  started_at: number;
  ended_at: number;
  purpose: string;
  outcome: string;
  http_status: number | null;
  message: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cost_usd: number | null;
  model: string | null;
}

interface EditRow {
  id: number;
  document_id: string;
  field_path: string;
  old_value: string | null;
  new_value: string | null;
  at: string;
  by: string;
  note: string | null;
}

const DOCUMENT_COLUMNS = `d.id, d.primary_path, d.container, d.sources, d.path_metadata, d.status, d.error,
  d.created_at, d.updated_at,
  (SELECT json_group_array(path) FROM duplicate_paths p WHERE p.document_id = d.id) AS duplicates`;

/** The Store on disk: SQLite in WAL mode, synchronous=NORMAL, every write in a transaction. */
export class SqliteStore implements Store {
  /** Prepared once and reused: compiling a statement per call costs time and native memory. */
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(private readonly db: Database.Database) {}

  private sql<P extends unknown[] = unknown[], R = unknown>(source: string): Database.Statement<P, R> {
    let statement = this.statements.get(source);
    if (!statement) {
      statement = this.db.prepare(source);
      this.statements.set(source, statement);
    }
    return statement as unknown as Database.Statement<P, R>;
  }

  /** Opens (creating when needed) the store file and brings its schema up to date. */
  static open(file: string): SqliteStore {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    // The busy timeout first: switching a new file to WAL needs a lock another process may hold.
    const db = new Database(file, { timeout: 5000 });
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    migrate(db);
    return new SqliteStore(db);
  }

  upsertDocument(doc: NewDocument): UpsertOutcome {
    return this.db.transaction((): UpsertOutcome => {
      const now = new Date().toISOString();
      const existing = this.sql<[string], { primary_path: string; status: string }>(
        "SELECT primary_path, status FROM documents WHERE id = ?",
      ).get(doc.id);
      if (existing) {
        const status = existing.status as DocumentStatus;
        if (existing.primary_path === doc.primaryPath) return { inserted: false, status, duplicatePath: false };
        const added = this.sql("INSERT OR IGNORE INTO duplicate_paths (document_id, path, first_seen) VALUES (?, ?, ?)").run(
          doc.id,
          doc.primaryPath,
          now,
        );
        return { inserted: false, status, duplicatePath: added.changes > 0 };
      }
      const status: DocumentStatus = doc.failure ? "failed" : "pending";
      this.sql(
        `INSERT INTO documents (id, primary_path, container, sources, path_metadata, status, error, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        doc.id,
        doc.primaryPath,
        doc.container,
        JSON.stringify(doc.sources),
        doc.pathMetadata === null ? null : JSON.stringify(doc.pathMetadata),
        status,
        doc.failure ? JSON.stringify(doc.failure) : null,
        now,
        now,
      );
      if (doc.failure) {
        this.#index(failedDocumentRow({ ...doc, error: doc.failure }));
        const seq = this.sql<[string], number>("SELECT seq FROM documents WHERE id = ?").pluck().get(doc.id) ?? 0;
        putOverviewForm((source) => this.sql(source), failedResult(doc, doc.failure), REFUSED_ORDER + seq);
      }
      return { inserted: true, status, duplicatePath: false };
    })();
  }

  getDocument(id: string): DocumentRecord | null {
    const row = this.sql<[string], DocumentRow>(`SELECT ${DOCUMENT_COLUMNS} FROM documents d WHERE d.id = ?`).get(id);
    return row ? toDocument(row) : null;
  }

  listDocuments(filter: DocumentFilter = {}): DocumentRecord[] {
    const { where, params } = statusWhere(filter);
    const rows = this.sql<unknown[], DocumentRow>(
      `SELECT ${DOCUMENT_COLUMNS} FROM documents d ${where} ORDER BY d.seq LIMIT ? OFFSET ?`,
    ).all(...params, filter.limit ?? -1, filter.offset ?? 0);
    return rows.map(toDocument);
  }

  countByStatus(): StatusCounts {
    const counts = emptyStatusCounts();
    const rows = this.sql<[], { status: DocumentStatus; n: number }>("SELECT status, COUNT(*) AS n FROM documents GROUP BY status").all();
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  resetStatus(ids: readonly string[]): number {
    return this.db.transaction((): number => {
      const now = new Date().toISOString();
      const update = this.sql("UPDATE documents SET status = 'pending', error = NULL, updated_at = ? WHERE id = ? AND status != 'pending'");
      const remove = this.sql("DELETE FROM results WHERE document_id = ?");
      const unsearch = this.sql("DELETE FROM result_search WHERE rowid = (SELECT rowid FROM result_index WHERE document_id = ?)");
      const unindex = this.sql("DELETE FROM result_index WHERE document_id = ?");
      const unrow = this.sql("DELETE FROM result_rows WHERE document_id = ?");
      let changed = 0;
      for (const id of ids) {
        const result = update.run(now, id);
        if (result.changes > 0) {
          remove.run(id);
          unsearch.run(id);
          unindex.run(id);
          unrow.run(id);
          dropOverviewForm((source) => this.sql(source), id);
          changed++;
        }
      }
      return changed;
    })();
  }

  recordAttempt(a: AttemptRecord): void {
    this.sql(
      `INSERT INTO attempts (document_id, started_at, ended_at, purpose, outcome, http_status, message,
           prompt_tokens, completion_tokens, cost_usd, model) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      a.documentId,
      a.startedAt,
      a.endedAt,
      a.purpose,
      a.outcome,
      a.httpStatus,
      a.message,
      a.promptTokens,
      a.completionTokens,
      a.costUsd,
      a.model,
    );
  }

  listAttempts(documentId?: string): AttemptRecord[] {
    const rows =
      documentId === undefined
        ? this.sql<[], AttemptRow>("SELECT * FROM attempts ORDER BY id").all()
        : this.sql<[string], AttemptRow>("SELECT * FROM attempts WHERE document_id = ? ORDER BY id").all(documentId);
    return rows.map((r) => ({
      documentId: r.document_id,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      purpose: r.purpose,
      outcome: r.outcome as AttemptOutcome,
      httpStatus: r.http_status,
      message: r.message,
      promptTokens: r.prompt_tokens,
      completionTokens: r.completion_tokens,
      costUsd: r.cost_usd,
      model: r.model,
    }));
  }

  attemptCountsByDocument(): Map<string, number> {
    const rows = this.sql<[], { document_id: string; n: number }>(
      "SELECT document_id, COUNT(*) AS n FROM attempts GROUP BY document_id",
    ).all();
    return new Map(rows.map((r) => [r.document_id, r.n]));
  }

  usageTotals(): UsageTotals {
    const row = this.sql<[], UsageTotals>(
      `SELECT COUNT(*) AS requests, COUNT(cost_usd) AS costedRequests, COALESCE(SUM(cost_usd), 0) AS costUsd,
           COALESCE(SUM(prompt_tokens), 0) AS promptTokens, COALESCE(SUM(completion_tokens), 0) AS completionTokens
         FROM attempts`,
    ).get();
    return row ?? { requests: 0, costedRequests: 0, costUsd: 0, promptTokens: 0, completionTokens: 0 };
  }

  countRequestsSince(sinceMs: number, lane?: RequestLane): number {
    return (
      this.sql<[number], number>(`SELECT COUNT(*) FROM attempts WHERE started_at >= ?${laneClause(lane)}`)
        .pluck()
        .get(sinceMs) ?? 0
    );
  }

  requestStartsSince(sinceMs: number, lane?: RequestLane): number[] {
    return this.sql<[number], number>(`SELECT started_at FROM attempts WHERE started_at >= ?${laneClause(lane)} ORDER BY started_at`)
      .pluck()
      .all(sinceMs);
  }

  saveResult(result: FormResult): void {
    this.db.transaction(() => {
      const now = new Date().toISOString();
      const updated = this.sql("UPDATE documents SET status = ?, error = ?, updated_at = ? WHERE id = ?").run(
        result.status,
        result.error ? JSON.stringify(result.error) : null,
        now,
        result.document.id,
      );
      if (updated.changes === 0) throw new Error(`saveResult for unknown document ${result.document.id}`);
      this.sql(
        `INSERT INTO results (document_id, status, json, saved_at) VALUES (?, ?, ?, ?)
           ON CONFLICT(document_id) DO UPDATE SET status = excluded.status, json = excluded.json, saved_at = excluded.saved_at`,
      ).run(result.document.id, result.status, JSON.stringify(result), now);
      this.#index(resultRowOf(result));
      this.#overviewPut(result);
      this.sql("DELETE FROM kept_replies WHERE document_id = ?").run(result.document.id);
    })();
  }

  keepReply(key: string, reply: KeptReply): void {
    this.sql(
      `INSERT OR IGNORE INTO kept_replies (request_key, document_id, model, reply, prompt_tokens, completion_tokens, cost_usd, kept_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      key,
      reply.documentId,
      reply.model,
      reply.replyJson,
      reply.promptTokens,
      reply.completionTokens,
      reply.costUsd,
      new Date().toISOString(),
    );
  }

  keptReply(key: string): KeptReply | null {
    const row = this.sql<
      [string],
      {
        document_id: string;
        model: string;
        reply: string;
        prompt_tokens: number | null;
        completion_tokens: number | null;
        cost_usd: number | null;
      }
    >("SELECT document_id, model, reply, prompt_tokens, completion_tokens, cost_usd FROM kept_replies WHERE request_key = ?").get(key);
    if (!row) return null;
    return {
      documentId: row.document_id,
      model: row.model,
      replyJson: row.reply,
      promptTokens: row.prompt_tokens,
      completionTokens: row.completion_tokens,
      costUsd: row.cost_usd,
    };
  }

  #index(row: ResultRow): void {
    writeIndexRow((source) => this.sql(source), row);
  }

  #overviewPut(result: FormResult): void {
    const seq = this.sql<[string], number>("SELECT seq FROM documents WHERE id = ?").pluck().get(result.document.id) ?? 0;
    putOverviewForm((source) => this.sql(source), result, seq);
  }

  refreshOverview(limit: number): number {
    return refreshSomeParts(this.db, (source) => this.sql(source), limit);
  }

  overviewAreas(): StoredOverview {
    return readOverview(this.db, (source) => this.sql(source));
  }

  queryResults(query: ResultQuery): ResultPage {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.status !== undefined) {
      where.push("status = ?");
      params.push(query.status);
    }
    if (query.province !== undefined) {
      where.push("province = ?");
      params.push(query.province);
    }
    if (query.constituency !== undefined) {
      where.push("constituency = ?");
      params.push(query.constituency);
    }
    if (query.queue === true) where.push("in_queue = 1");
    const needle = query.text?.normalize("NFC").toLowerCase();
    if (needle !== undefined && needle !== "") {
      if ([...needle].length >= MIN_TRIGRAM_NEEDLE) {
        where.push("rowid IN (SELECT rowid FROM result_search WHERE result_search MATCH ?)");
        params.push(`"${needle.replaceAll('"', '""')}"`);
      } else {
        where.push("instr(search, ?) > 0");
        params.push(needle);
      }
    }
    const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    const column = SORT_COLUMNS[query.sort];
    const direction = query.descending ? "DESC" : "ASC";
    // The queue's own order (priority, then path) has its own index; NULLs last otherwise.
    const order =
      query.sort === "priority" || query.sort === "path" || query.sort === "status"
        ? `${column} ${direction}, path`
        : `${column} IS NULL, ${column} ${direction}, path`;
    const total =
      this.sql<unknown[], number>(`SELECT COUNT(*) FROM result_index ${clause}`)
        .pluck()
        .get(...params) ?? 0;
    // The page's ids from the narrow table, then their rows by id.
    const ids = this.sql<unknown[], string>(`SELECT document_id FROM result_index ${clause} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .pluck()
      .all(...params, query.limit, query.offset);
    const fetch = this.sql<[string], string>("SELECT row FROM result_rows WHERE document_id = ?").pluck();
    const rows = ids.flatMap((id) => {
      const json = fetch.get(id);
      return json === undefined ? [] : [JSON.parse(json) as ResultRow];
    });
    return { total, rows };
  }

  countResults(): Record<Status, number> {
    const counts: Record<Status, number> = { verified: 0, needs_review: 0, failed: 0 };
    const rows = this.sql<[], { status: Status; n: number }>("SELECT status, COUNT(*) AS n FROM result_index GROUP BY status").all();
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  getResult(documentId: string): Result<FormResult, string> | null {
    const json = this.sql<[string], string>("SELECT json FROM results WHERE document_id = ?").pluck().get(documentId);
    return json === undefined ? null : parseStoredResult(json);
  }

  *iterateResults(filter: DocumentFilter = {}): Iterable<{ documentId: string; result: Result<FormResult, string> }> {
    const { where, params } = statusWhere(filter);
    const rows = this.sql<unknown[], { id: string; json: string }>(
      `SELECT d.id, r.json FROM documents d JOIN results r ON r.document_id = d.id ${where}
         ORDER BY d.seq LIMIT ? OFFSET ?`,
    ).iterate(...params, filter.limit ?? -1, filter.offset ?? 0);
    for (const row of rows) yield { documentId: row.id, result: parseStoredResult(row.json) };
  }

  setMeta(key: string, value: string): void {
    this.sql("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(key, value);
  }

  getMeta(key: string): string | null {
    return this.sql<[string], string>("SELECT value FROM meta WHERE key = ?").pluck().get(key) ?? null;
  }

  applyEdit(edit: EditInput): Result<EditRecord, string> {
    return this.db.transaction((): Result<EditRecord, string> => {
      const planned = planEdit(this.getResult(edit.documentId), edit, new Date().toISOString());
      if (!planned.ok) return planned;
      const { updated, record } = planned.value;
      this.sql("UPDATE results SET json = ?, saved_at = ? WHERE document_id = ?").run(JSON.stringify(updated), record.at, edit.documentId);
      this.#index(resultRowOf(updated));
      this.#overviewPut(updated);
      const inserted = this.sql(
        "INSERT INTO edits (document_id, field_path, old_value, new_value, at, by, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ).run(
        record.documentId,
        record.fieldPath,
        JSON.stringify(record.oldValue),
        JSON.stringify(record.newValue ?? null),
        record.at,
        record.by,
        record.note,
      );
      return ok({ id: Number(inserted.lastInsertRowid), ...record });
    })();
  }

  listEdits(documentId?: string): EditRecord[] {
    const rows =
      documentId === undefined
        ? this.sql<[], EditRow>("SELECT * FROM edits ORDER BY id").all()
        : this.sql<[string], EditRow>("SELECT * FROM edits WHERE document_id = ? ORDER BY id").all(documentId);
    return rows.map((r) => ({
      id: r.id,
      documentId: r.document_id,
      fieldPath: r.field_path,
      oldValue: r.old_value === null ? null : JSON.parse(r.old_value),
      newValue: r.new_value === null ? null : JSON.parse(r.new_value),
      at: r.at,
      by: r.by,
      note: r.note,
    }));
  }

  /**
   * Closes the file, leaving the overview current first: the parts a run's writes cleared are
   * recomputed here, once, so the next reader's first overview does not wait for them. When
   * that fails (the file busy, the disk full) the next reader recomputes them instead.
   */
  close(): void {
    if (!this.db.open) return;
    try {
      refreshPartsNow(this.db, (source) => this.sql(source));
    } catch {
      // Left cleared: readOverview recomputes them.
    }
    this.db.close();
  }
}

/** v4: paid replies kept until their document's result is saved (see Store.keepReply). */
const SCHEMA_V4 = `
CREATE TABLE IF NOT EXISTS kept_replies (
  request_key TEXT PRIMARY KEY,
  document_id TEXT NOT NULL,
  model TEXT NOT NULL,
  reply TEXT NOT NULL,
  prompt_tokens INTEGER,
  completion_tokens INTEGER,
  cost_usd REAL,
  kept_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kept_replies_document ON kept_replies(document_id);
`;

function migrate(db: Database.Database): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`the state file has schema version ${version}, newer than this program's ${SCHEMA_VERSION}`);
  }
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    if (version < 1) db.exec(SCHEMA_V1);
    if (version < 3) {
      db.exec(SCHEMA_V3);
      backfillResultIndex(db);
    }
    if (version < 4) db.exec(SCHEMA_V4);
    if (version < 5) {
      db.exec(OVERVIEW_SCHEMA);
      backfillOverview(db);
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

function writeIndexRow(sql: (source: string) => Database.Statement, row: ResultRow): void {
  sql(
    `INSERT INTO result_index (document_id, status, path, province, constituency, unit, good, bad, no_vote, vote_total,
       priority, in_queue, search) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(document_id) DO UPDATE SET status = excluded.status, path = excluded.path, province = excluded.province,
       constituency = excluded.constituency, unit = excluded.unit, good = excluded.good, bad = excluded.bad,
       no_vote = excluded.no_vote, vote_total = excluded.vote_total, priority = excluded.priority,
       in_queue = excluded.in_queue, search = excluded.search`,
  ).run(
    row.id,
    row.status,
    row.path,
    row.province,
    row.constituency,
    row.unit,
    row.good,
    row.bad,
    row.noVote,
    row.voteTotal,
    row.priority,
    needsPerson(row) ? 1 : 0,
    searchTextOf(row),
  );
  sql("INSERT INTO result_rows (document_id, row) VALUES (?, ?) ON CONFLICT(document_id) DO UPDATE SET row = excluded.row").run(
    row.id,
    JSON.stringify(row),
  );
  // Substring search through a trigram index (keyed by the index row's rowid, which an update keeps).
  const rowid = sql("SELECT rowid FROM result_index WHERE document_id = ?").pluck().get(row.id) as number;
  sql("DELETE FROM result_search WHERE rowid = ?").run(rowid);
  sql("INSERT INTO result_search (rowid, search) VALUES (?, ?)").run(rowid, searchTextOf(row));
}

/** Trigrams need three characters; a shorter needle scans the column instead. */
const MIN_TRIGRAM_NEEDLE = 3;

/** Indexes the results of a store written before v2 (once, at the first open by this version). */
function backfillResultIndex(db: Database.Database): void {
  const statements = new Map<string, Database.Statement>();
  const sql = (source: string): Database.Statement => {
    let statement = statements.get(source);
    if (!statement) {
      statement = db.prepare(source);
      statements.set(source, statement);
    }
    return statement;
  };
  // In pages: a statement cannot write while another iterates on the same connection.
  const page = db.prepare<[number], { id: number; json: string }>(
    "SELECT rowid AS id, json FROM results WHERE rowid > ? ORDER BY rowid LIMIT 500",
  );
  for (let after = 0, rows = page.all(after); rows.length > 0; rows = page.all(after)) {
    for (const { id, json } of rows) {
      after = id;
      const parsed = parseStoredResult(json);
      if (parsed.ok) writeIndexRow(sql, resultRowOf(parsed.value));
    }
  }
  const refused = db
    .prepare<[], DocumentRow>(
      `SELECT ${DOCUMENT_COLUMNS} FROM documents d WHERE d.status = 'failed' AND d.id NOT IN (SELECT document_id FROM results)`,
    )
    .all();
  for (const row of refused) writeIndexRow(sql, failedDocumentRow(toDocument(row)));
}

/** Summarises the results of a store written before v5 for the overview (once, at the first open by this version). */
function backfillOverview(db: Database.Database): void {
  const statements = new Map<string, Database.Statement>();
  const sql = (source: string): Database.Statement => {
    let statement = statements.get(source);
    if (!statement) {
      statement = db.prepare(source);
      statements.set(source, statement);
    }
    return statement;
  };
  const page = db.prepare<[number], { seq: number; json: string }>(
    `SELECT d.seq, r.json FROM results r JOIN documents d ON d.id = r.document_id WHERE d.seq > ? ORDER BY d.seq LIMIT 500`,
  );
  for (let after = 0, rows = page.all(after); rows.length > 0; rows = page.all(after)) {
    for (const { seq, json } of rows) {
      after = seq;
      const parsed = parseStoredResult(json);
      if (parsed.ok) putOverviewForm(sql, parsed.value, seq);
    }
  }
  const refused = db
    .prepare<[], DocumentRow & { seq: number }>(
      `SELECT d.seq, ${DOCUMENT_COLUMNS} FROM documents d WHERE d.status = 'failed' AND d.id NOT IN (SELECT document_id FROM results)`,
    )
    .all();
  for (const row of refused) {
    const doc = toDocument(row);
    putOverviewForm(
      sql,
      failedResult(doc, doc.error ?? { code: "failed", message: "the file could not be read" }),
      REFUSED_ORDER + row.seq,
    );
  }
  // The parts too, while everything is at hand: the first overview after the upgrade is then quick.
  refreshParts(sql);
}

function statusWhere(filter: DocumentFilter): { where: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (filter.status && filter.status.length > 0) {
    conditions.push(`d.status IN (${filter.status.map(() => "?").join(", ")})`);
    params.push(...filter.status);
  }
  if (filter.after !== undefined) {
    conditions.push("d.seq > COALESCE((SELECT seq FROM documents WHERE id = ?), -1)");
    params.push(filter.after);
  }
  return { where: conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")}`, params };
}

function toDocument(row: DocumentRow): DocumentRecord {
  const sources = SourcesSchema.safeParse(JSON.parse(row.sources));
  const error = StoredErrorSchema.safeParse(row.error === null ? null : JSON.parse(row.error));
  const duplicates = row.duplicates === null ? [] : (JSON.parse(row.duplicates) as unknown[]);
  return {
    id: row.id,
    primaryPath: row.primary_path,
    container: row.container as Container,
    sources: sources.success ? sources.data : [],
    pathMetadata: parsePathMetadata(row.path_metadata),
    status: row.status as DocumentStatus,
    error: error.success ? error.data : { code: "stored_error_invalid", message: String(row.error) },
    duplicatePaths: duplicates.filter((p): p is string => typeof p === "string"),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A fixed SQL condition per lane (no user text reaches it). */
function laneClause(lane: RequestLane | undefined): string {
  if (lane === undefined) return "";
  return lane === "verify" ? ` AND purpose = '${VERIFY_PURPOSE}'` : ` AND purpose != '${VERIFY_PURPOSE}'`;
}
