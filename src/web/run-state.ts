import type { BatchEvent, ProgressSnapshot, RunEnd } from "../batch/events.js";
import type { RunSettings } from "./ports.js";

export type DocumentPhase = "running" | "verified" | "needs_review" | "failed";

export interface DocumentProgress {
  readonly id: string;
  readonly path: string;
  readonly phase: DocumentPhase;
  readonly detail: string;
}

export interface RunView {
  readonly runId: string;
  readonly batch: string;
  readonly phase: "running" | "cancelling" | "finished";
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly end: RunEnd | null;
  readonly message: string | null;
  readonly settings: RunSettings;
  readonly total: number;
  readonly alreadyDone: number;
  readonly progress: ProgressSnapshot | null;
  readonly pausedUntil: string | null;
  /** Most recently changed first, capped so a snapshot stays small on big batches. */
  readonly documents: readonly DocumentProgress[];
  readonly log: readonly string[];
}

const MAX_DOCUMENTS_IN_VIEW = 2000;
const MAX_LOG = 100;

/** The server's copy of the current run, so a reload or a second tab sees the same thing. */
export class RunState {
  #view: RunView;
  readonly #documents = new Map<string, DocumentProgress>();
  readonly #log: string[] = [];

  constructor(runId: string, batch: string, settings: RunSettings, now: string) {
    this.#view = {
      runId,
      batch,
      phase: "running",
      startedAt: now,
      finishedAt: null,
      end: null,
      message: null,
      settings,
      total: 0,
      alreadyDone: 0,
      progress: null,
      pausedUntil: null,
      documents: [],
      log: [],
    };
  }

  get phase(): RunView["phase"] {
    return this.#view.phase;
  }

  view(): RunView {
    const documents = [...this.#documents.values()].reverse().slice(0, MAX_DOCUMENTS_IN_VIEW);
    return { ...this.#view, documents, log: [...this.#log] };
  }

  markCancelling(): void {
    this.#view = { ...this.#view, phase: "cancelling" };
  }

  finish(end: RunEnd, message: string, now: string): void {
    this.#view = { ...this.#view, phase: "finished", end, message, finishedAt: now, pausedUntil: null };
  }

  apply(event: BatchEvent): void {
    switch (event.type) {
      case "run_started":
      case "discovery_finished":
        this.#view = { ...this.#view, total: event.total, alreadyDone: event.alreadyDone };
        return;
      case "document_started":
        this.#setDocument({ id: event.documentId, path: event.path, phase: "running", detail: "" });
        return;
      case "document_finished":
        this.#setDocument({ id: event.documentId, path: event.path, phase: event.status, detail: event.reasons.join("; ") });
        return;
      case "document_failed":
        this.#setDocument({ id: event.documentId, path: event.path, phase: "failed", detail: event.error.message });
        return;
      case "duplicate_content":
        this.#addLog(`duplicate content: ${event.paths.join(", ")}`);
        return;
      case "retry_scheduled":
        this.#addLog(`retry ${event.attempt} in ${Math.round(event.delayMs / 100) / 10}s: ${event.reason}`);
        return;
      case "rate_limited":
        this.#view = { ...this.#view, pausedUntil: event.until };
        this.#addLog(`rate limited (${event.scope}), paused until ${event.until}`);
        return;
      case "resumed":
        this.#view = { ...this.#view, pausedUntil: null };
        return;
      case "quota_exhausted":
        this.#addLog(`daily quota exhausted; resets at ${event.resetAt}`);
        return;
      case "progress": {
        const { type: _type, ...snapshot } = event;
        this.#view = { ...this.#view, progress: snapshot };
        return;
      }
      case "run_finished":
        this.#view = { ...this.#view, progress: event.progress };
        return;
    }
  }

  #setDocument(doc: DocumentProgress): void {
    // Re-insert so the map's order is "least recently changed first".
    this.#documents.delete(doc.id);
    this.#documents.set(doc.id, doc);
    if (this.#documents.size > MAX_DOCUMENTS_IN_VIEW * 2) {
      const oldest = this.#documents.keys().next();
      if (oldest.done !== true) this.#documents.delete(oldest.value);
    }
  }

  #addLog(line: string): void {
    this.#log.push(`${new Date().toISOString().slice(11, 19)} ${line}`);
    if (this.#log.length > MAX_LOG) this.#log.shift();
  }
}
