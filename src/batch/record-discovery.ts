import { createHash } from "node:crypto";
import type { DiscoveredDocument } from "../ingest/types.js";
import type { Store } from "../storage/store.js";
import type { BatchEvent } from "./events.js";
import { failedResult } from "../forms/failed-result.js";
import type { Discovery } from "./pipeline.js";
import type { BatchMembers } from "./run-tally.js";

/** A stable id for an input that never became a document (it has no content hash). */
export function rejectedInputId(path: string): string {
  return createHash("sha256").update(`rejected\0${path}`).digest("hex");
}

export interface RecordedDiscovery {
  /** Each document once, by content hash, in discovery order. */
  readonly ids: readonly string[];
  /** Documents whose content was found under more than one path. */
  readonly duplicates: number;
}

/**
 * Records what discovery found, as every run (local or coordinated) does, one chunk (a folder) at a
 * time so the batch's documents need not be held: each document once by content hash; each
 * rejected input with a failed result so the exports list it with its reason; the same content
 * under several paths reported as a possible duplicate submission (read once). With `retryFailed`,
 * documents that failed earlier go back to pending. Only ids are kept.
 */
export class DiscoveryRecorder {
  private readonly seen = new Set<string>();
  private readonly ids: string[] = [];
  private rejected = 0;

  constructor(
    private readonly store: Store,
    private readonly retryFailed: boolean,
  ) {}

  /** Records one chunk; returns its documents not seen before in this batch, in order. */
  add(chunk: Discovery): DiscoveredDocument[] {
    const { store } = this;
    for (const rejected of chunk.rejected) {
      const id = rejectedInputId(rejected.path);
      const sources = [{ path: rejected.path, sha256: id, bytes: 0 }];
      const upsert = store.upsertDocument({
        id,
        primaryPath: rejected.path,
        container: "unknown",
        sources,
        pathMetadata: null,
        failure: rejected.error,
      });
      if (upsert.inserted) store.saveResult(failedResult({ id, sources, pathMetadata: null }, rejected.error));
      this.rejected++;
    }
    const fresh: DiscoveredDocument[] = [];
    for (const doc of chunk.documents) {
      store.upsertDocument({
        id: doc.id,
        primaryPath: doc.primaryPath,
        container: doc.container,
        sources: doc.sources,
        pathMetadata: doc.pathMetadata,
      });
      if (this.seen.has(doc.id)) continue;
      this.seen.add(doc.id);
      this.ids.push(doc.id);
      fresh.push(doc);
    }
    return fresh;
  }

  /** After the last chunk: reports duplicate content, puts failed documents back with retryFailed. */
  finish(emit: (event: BatchEvent) => void): BatchMembers {
    let duplicates = 0;
    const failed: string[] = [];
    for (const id of this.ids) {
      const record = this.store.getDocument(id);
      if (!record) continue;
      if (record.duplicatePaths.length > 0) {
        duplicates++;
        emit({ type: "duplicate_content", documentId: id, paths: [record.primaryPath, ...record.duplicatePaths] });
      }
      if (record.status === "failed") failed.push(id);
    }
    if (this.retryFailed && failed.length > 0) this.store.resetStatus(failed);
    return { ids: this.ids, rejected: this.rejected, duplicates };
  }
}

/** Records a whole discovery at once (see DiscoveryRecorder). */
export function recordDiscovery(
  store: Store,
  discovery: Discovery,
  emit: (event: BatchEvent) => void,
  retryFailed: boolean,
): RecordedDiscovery {
  const recorder = new DiscoveryRecorder(store, retryFailed);
  recorder.add(discovery);
  return recorder.finish(emit);
}
