import { ok, type Result } from "../basics/result.js";
import type { FormResult } from "../forms/form-result.js";
import type { Status } from "../forms/form-result.js";
import { summariseForm } from "../aggregate/form-summary.js";
import { type OrderedForm, type StoredOverview, storedOverviewOf } from "../aggregate/overview-areas.js";
import { failedResult } from "../forms/failed-result.js";
import { planEdit } from "./result-edit.js";
import { failedDocumentRow, queryRowsInMemory, type ResultPage, type ResultQuery, type ResultRow, resultRowOf } from "./result-index.js";
import {
  type AttemptRecord,
  type DocumentFilter,
  type DocumentRecord,
  type EditInput,
  type EditRecord,
  emptyStatusCounts,
  type KeptReply,
  type NewDocument,
  parseStoredResult,
  type StatusCounts,
  type Store,
  type UpsertOutcome,
  type RequestLane,
  type UsageTotals,
  VERIFY_PURPOSE,
} from "./store.js";

/** The Store in memory, for tests. Results are kept as JSON text so reads validate like SQLite's. */
export class MemoryStore implements Store {
  private readonly documents = new Map<string, DocumentRecord>();
  private readonly attempts: AttemptRecord[] = [];
  private readonly results = new Map<string, string>();
  private readonly meta = new Map<string, string>();
  private readonly edits: EditRecord[] = [];
  private readonly replies = new Map<string, KeptReply>();

  upsertDocument(doc: NewDocument): UpsertOutcome {
    const now = new Date().toISOString();
    const existing = this.documents.get(doc.id);
    if (existing) {
      const known = existing.primaryPath === doc.primaryPath || existing.duplicatePaths.includes(doc.primaryPath);
      if (!known) this.documents.set(doc.id, { ...existing, duplicatePaths: [...existing.duplicatePaths, doc.primaryPath] });
      return { inserted: false, status: existing.status, duplicatePath: !known };
    }
    const status = doc.failure ? "failed" : "pending";
    this.documents.set(doc.id, {
      id: doc.id,
      primaryPath: doc.primaryPath,
      container: doc.container,
      sources: structuredClone(doc.sources),
      pathMetadata: doc.pathMetadata === null ? null : structuredClone(doc.pathMetadata),
      status,
      error: doc.failure ?? null,
      duplicatePaths: [],
      createdAt: now,
      updatedAt: now,
    });
    return { inserted: true, status, duplicatePath: false };
  }

  getDocument(id: string): DocumentRecord | null {
    return this.documents.get(id) ?? null;
  }

  listDocuments(filter: DocumentFilter = {}): DocumentRecord[] {
    let docs = [...this.documents.values()];
    if (filter.after !== undefined) {
      const at = docs.findIndex((d) => d.id === filter.after);
      if (at >= 0) docs = docs.slice(at + 1);
    }
    if (filter.status) {
      const wanted = new Set(filter.status);
      docs = docs.filter((d) => wanted.has(d.status));
    }
    const offset = filter.offset ?? 0;
    return docs.slice(offset, filter.limit === undefined ? undefined : offset + filter.limit);
  }

  countByStatus(): StatusCounts {
    const counts = emptyStatusCounts();
    for (const doc of this.documents.values()) counts[doc.status]++;
    return counts;
  }

  resetStatus(ids: readonly string[]): number {
    let changed = 0;
    for (const id of ids) {
      const doc = this.documents.get(id);
      if (!doc || doc.status === "pending") continue;
      this.documents.set(id, { ...doc, status: "pending", error: null, updatedAt: new Date().toISOString() });
      this.results.delete(id);
      changed++;
    }
    return changed;
  }

  recordAttempt(attempt: AttemptRecord): void {
    this.attempts.push({ ...attempt });
  }

  listAttempts(documentId?: string): AttemptRecord[] {
    return this.attempts.filter((a) => documentId === undefined || a.documentId === documentId);
  }

  attemptCountsByDocument(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const a of this.attempts) counts.set(a.documentId, (counts.get(a.documentId) ?? 0) + 1);
    return counts;
  }

  usageTotals(): UsageTotals {
    let costUsd = 0;
    let costedRequests = 0;
    let promptTokens = 0;
    let completionTokens = 0;
    for (const a of this.attempts) {
      if (a.costUsd !== null) {
        costUsd += a.costUsd;
        costedRequests++;
      }
      promptTokens += a.promptTokens ?? 0;
      completionTokens += a.completionTokens ?? 0;
    }
    return { requests: this.attempts.length, costedRequests, costUsd, promptTokens, completionTokens };
  }

  countRequestsSince(sinceMs: number, lane?: RequestLane): number {
    return this.attempts.filter((a) => a.startedAt >= sinceMs && inLane(a, lane)).length;
  }

  requestStartsSince(sinceMs: number, lane?: RequestLane): number[] {
    return this.attempts
      .filter((a) => a.startedAt >= sinceMs && inLane(a, lane))
      .map((a) => a.startedAt)
      .sort((a, b) => a - b);
  }

  saveResult(result: FormResult): void {
    const doc = this.documents.get(result.document.id);
    if (!doc) throw new Error(`saveResult for unknown document ${result.document.id}`);
    this.results.set(doc.id, JSON.stringify(result));
    for (const [key, kept] of this.replies) if (kept.documentId === doc.id) this.replies.delete(key);
    this.documents.set(doc.id, {
      ...doc,
      status: result.status,
      error: result.error ?? null,
      updatedAt: new Date().toISOString(),
    });
  }

  keepReply(key: string, reply: KeptReply): void {
    if (!this.replies.has(key)) this.replies.set(key, reply);
  }

  keptReply(key: string): KeptReply | null {
    return this.replies.get(key) ?? null;
  }

  getResult(documentId: string): Result<FormResult, string> | null {
    const json = this.results.get(documentId);
    return json === undefined ? null : parseStoredResult(json);
  }

  *iterateResults(filter: DocumentFilter = {}): Iterable<{ documentId: string; result: Result<FormResult, string> }> {
    // Paged over the documents that have a result, as SQLite's join does.
    const { limit, offset = 0, ...which } = filter;
    const withResults = this.listDocuments(which).filter((doc) => this.results.has(doc.id));
    for (const doc of withResults.slice(offset, limit === undefined ? undefined : offset + limit)) {
      yield { documentId: doc.id, result: parseStoredResult(this.results.get(doc.id) ?? "") };
    }
  }

  queryResults(query: ResultQuery): ResultPage {
    return queryRowsInMemory(this.#rows(), query);
  }

  countResults(): Record<Status, number> {
    const counts: Record<Status, number> = { verified: 0, needs_review: 0, failed: 0 };
    for (const row of this.#rows()) counts[row.status]++;
    return counts;
  }

  refreshOverview(_limit: number): number {
    return 0;
  }

  overviewAreas(): StoredOverview {
    const forms: OrderedForm[] = [];
    const refused: DocumentRecord[] = [];
    for (const doc of this.documents.values()) {
      const json = this.results.get(doc.id);
      const parsed = json === undefined ? null : parseStoredResult(json);
      if (parsed?.ok) forms.push({ order: forms.length, form: summariseForm(parsed.value) });
      else if (json === undefined && doc.status === "failed") refused.push(doc);
    }
    for (const doc of refused) {
      const result = failedResult(doc, doc.error ?? { code: "failed", message: "the file could not be read" });
      forms.push({ order: forms.length, form: summariseForm(result) });
    }
    return storedOverviewOf(forms);
  }

  #rows(): ResultRow[] {
    const rows: ResultRow[] = [];
    for (const doc of this.documents.values()) {
      const json = this.results.get(doc.id);
      const parsed = json === undefined ? null : parseStoredResult(json);
      if (parsed?.ok) rows.push(resultRowOf(parsed.value));
      else if (doc.status === "failed") {
        rows.push(failedDocumentRow(doc));
      }
    }
    return rows;
  }

  setMeta(key: string, value: string): void {
    this.meta.set(key, value);
  }

  getMeta(key: string): string | null {
    return this.meta.get(key) ?? null;
  }

  applyEdit(edit: EditInput): Result<EditRecord, string> {
    const planned = planEdit(this.getResult(edit.documentId), edit, new Date().toISOString());
    if (!planned.ok) return planned;
    const record: EditRecord = { id: this.edits.length + 1, ...planned.value.record };
    this.results.set(edit.documentId, JSON.stringify(planned.value.updated));
    this.edits.push(record);
    return ok(record);
  }

  listEdits(documentId?: string): EditRecord[] {
    return this.edits.filter((e) => documentId === undefined || e.documentId === documentId);
  }

  close(): void {}
}

function inLane(attempt: AttemptRecord, lane: RequestLane | undefined): boolean {
  return lane === undefined || (attempt.purpose === VERIFY_PURPOSE) === (lane === "verify");
}
