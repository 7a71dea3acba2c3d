import { z } from "zod";
import { err, ok, type Result } from "../basics/result.js";
import {
  type FormResult,
  FormResultSchema,
  type ProcessingError,
  ProcessingErrorSchema,
  type SourceFile,
  SourceFileSchema,
  type Status,
} from "../forms/form-result.js";
import type { PathMetadata } from "../forms/path-metadata.js";
import type { StoredOverview } from "../aggregate/overview-areas.js";
import type { ResultPage, ResultQuery } from "./result-index.js";

/**
 * Persistent state of a batch: documents, every provider attempt, results, usage, run metadata
 * and review edits. Implementations: SqliteStore (the default, on disk) and MemoryStore (tests).
 * Methods are synchronous: SQLite through better-sqlite3 is synchronous, and every write is one
 * transaction, so a crash at any instant leaves a consistent state.
 */
export const DOCUMENT_STATUSES = ["pending", "verified", "needs_review", "failed"] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];
export const DocumentStatusSchema = z.enum(DOCUMENT_STATUSES);

export const CONTAINERS = ["pdf", "image", "image-series", "tiff", "unknown"] as const;
export type Container = (typeof CONTAINERS)[number];

export interface NewDocument {
  /** Content hash (sha256 hex). */
  readonly id: string;
  readonly primaryPath: string;
  readonly container: Container;
  readonly sources: readonly SourceFile[];
  readonly pathMetadata: PathMetadata | null;
  /** A document that never became readable (rejected at discovery) is stored as failed at once. */
  readonly failure?: ProcessingError;
}

export interface DocumentRecord {
  readonly id: string;
  readonly primaryPath: string;
  readonly container: Container;
  readonly sources: readonly SourceFile[];
  readonly pathMetadata: PathMetadata | null;
  readonly status: DocumentStatus;
  readonly error: ProcessingError | null;
  /** Other paths seen with identical content: a possible duplicate submission. */
  readonly duplicatePaths: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface UpsertOutcome {
  /** False when the content was already known. */
  readonly inserted: boolean;
  readonly status: DocumentStatus;
  /** True when this path is new for content already stored under another path. */
  readonly duplicatePath: boolean;
}

export const ATTEMPT_OUTCOMES = ["ok", "rate_limited", "transient", "fatal", "invalid_output", "cancelled"] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

export interface AttemptRecord {
  readonly documentId: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly purpose: string;
  readonly outcome: AttemptOutcome;
  readonly httpStatus: number | null;
  readonly message: string | null;
  readonly promptTokens: number | null;
  readonly completionTokens: number | null;
  readonly costUsd: number | null;
  readonly model: string | null;
}

export interface UsageTotals {
  readonly requests: number;
  /** Requests that reported a cost (for averaging). */
  readonly costedRequests: number;
  readonly costUsd: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export interface EditInput {
  readonly documentId: string;
  /** Dot path into the FormResult, e.g. "votes.3.value" or "totals.good.value". */
  readonly fieldPath: string;
  readonly newValue: unknown;
  readonly by: string;
  readonly note?: string;
}

export interface EditRecord {
  readonly id: number;
  readonly documentId: string;
  readonly fieldPath: string;
  readonly oldValue: unknown;
  readonly newValue: unknown;
  readonly at: string;
  readonly by: string;
  readonly note: string | null;
}

export interface DocumentFilter {
  readonly status?: readonly DocumentStatus[];
  /** Only documents first seen after this one (paging that, unlike an offset, does not rescan). */
  readonly after?: string;
  readonly limit?: number;
  readonly offset?: number;
}

export type StatusCounts = Record<DocumentStatus, number>;

/**
 * Which provider's requests: the first reader's, or the second model's (attempts with purpose
 * "verify"). Each has its own limiter and daily quota, restored from its own attempts.
 */
export type RequestLane = "first" | "verify";

export const VERIFY_PURPOSE = "verify";

/** A provider's validated reply as JSON text, with what it cost (see Store.keepReply). */
export interface KeptReply {
  readonly documentId: string;
  readonly model: string;
  readonly replyJson: string;
  readonly promptTokens: number | null;
  readonly completionTokens: number | null;
  readonly costUsd: number | null;
}

export interface Store {
  /** Adds a document, or records `primaryPath` as a duplicate path of already-known content. */
  upsertDocument(doc: NewDocument): UpsertOutcome;
  getDocument(id: string): DocumentRecord | null;
  /** In first-seen order. */
  listDocuments(filter?: DocumentFilter): DocumentRecord[];
  countByStatus(): StatusCounts;
  /** Puts documents back to pending (e.g. to retry failures). Returns how many changed. */
  resetStatus(ids: readonly string[]): number;

  recordAttempt(attempt: AttemptRecord): void;
  listAttempts(documentId?: string): AttemptRecord[];
  /** Attempts per document (for duplicate-call checks). */
  attemptCountsByDocument(): Map<string, number>;
  usageTotals(): UsageTotals;
  /** Requests started at or after `sinceMs` (today's count for the daily limit); all lanes when none is given. */
  countRequestsSince(sinceMs: number, lane?: RequestLane): number;
  /** Start times of requests at or after `sinceMs` (to restore the limiter's windows). */
  requestStartsSince(sinceMs: number, lane?: RequestLane): number[];

  /** Saves a result and the document's final status in one transaction. */
  saveResult(result: FormResult): void;
  /** The stored result, validated; an error when the stored JSON no longer validates; null when none. */
  getResult(documentId: string): Result<FormResult, string> | null;
  /** Results in document order, validated one by one (streams; memory stays flat). */
  iterateResults(filter?: DocumentFilter): Iterable<{ documentId: string; result: Result<FormResult, string> }>;

  /**
   * The results list and the review queue: every stored result, and every document refused before
   * it could be read, as rows filtered, sorted and paged in the store.
   */
  queryResults(query: ResultQuery): ResultPage;
  /** Rows of `queryResults` per status. */
  countResults(): Record<Status, number>;

  /**
   * The results page's overview, per constituency (aggregate/overview-areas.ts): every stored
   * result in document order, then every document refused before it could be read. SQLite keeps
   * the parts and recomputes only those a write touched since the last call.
   */
  overviewAreas(): StoredOverview;
  /**
   * Recomputes up to `limit` of the parts writes cleared, in one short transaction, and returns
   * how many are still to do: a server can let other requests in between (after a run killed
   * before it closed the store, every part is to do). The memory store has none to do.
   */
  refreshOverview(limit: number): number;

  /**
   * A paid reply kept under its request's key until the document's result is saved (any status: a
   * retried failure asks afresh): a run cancelled or killed between a reply and the result does
   * not pay for that reply again.
   */
  keepReply(key: string, reply: KeptReply): void;
  /** The kept reply for this request key, or null. */
  keptReply(key: string): KeptReply | null;

  setMeta(key: string, value: string): void;
  getMeta(key: string): string | null;

  /** Changes one field of a stored result and records the change, in one transaction. */
  applyEdit(edit: EditInput): Result<EditRecord, string>;
  listEdits(documentId?: string): EditRecord[];

  close(): void;
}

export function emptyStatusCounts(): StatusCounts {
  return { pending: 0, verified: 0, needs_review: 0, failed: 0 };
}

const PathFieldSchema = <T extends z.ZodType>(value: T) => z.object({ value, source: z.string() }).nullable();

/** Stored path metadata is checked when read back, like every other JSON column. */
export const PathMetadataSchema = z.object({
  province: PathFieldSchema(z.string()),
  constituency: PathFieldSchema(z.number()),
  district: PathFieldSchema(z.string()),
  subdistrict: PathFieldSchema(z.string()),
  unit: PathFieldSchema(z.number()),
  setNumber: PathFieldSchema(z.number()),
  formCode: PathFieldSchema(z.enum(["5/16", "5/17", "5/18"])),
  formKind: PathFieldSchema(z.enum(["constituency", "party_list"])),
});

export const SourcesSchema = z.array(SourceFileSchema);
export const StoredErrorSchema = ProcessingErrorSchema.nullable();

/** Parses stored result JSON, returning a readable error instead of throwing. */
export function parseStoredResult(json: string): Result<FormResult, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    return err(`stored result is not JSON: ${String(error)}`);
  }
  const parsed = FormResultSchema.safeParse(raw);
  return parsed.success ? ok(parsed.data) : err(`stored result does not validate: ${z.prettifyError(parsed.error)}`);
}

export function parsePathMetadata(json: string | null): PathMetadata | null {
  if (json === null) return null;
  const parsed = PathMetadataSchema.safeParse(JSON.parse(json));
  return parsed.success ? (parsed.data as PathMetadata) : null;
}
