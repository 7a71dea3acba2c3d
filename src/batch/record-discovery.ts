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

/**
 * Records what discovery found, as every run (local or coordinated) does, one chunk (a folder, or
 * a few dozen of its documents) at a time so the batch's documents need not be held: each document
 * once by content hash; each rejected input with a failed result so the exports list it with its
 * reason; the same content under several paths reported as a possible duplicate submission (read
 * once). With `retryFailed`, documents that failed earlier go back to pending as they are recorded.
 * Only ids are kept. The recorder is the batch's members as far as discovery has gone.
 */
export class DiscoveryRecorder implements BatchMembers {
  private readonly seen = new Set<string>();
  private readonly members: string[] = [];
  private rejectedInputs = 0;
  private duplicateContent = 0;

  constructor(
    private readonly store: Store,
    private readonly retryFailed: boolean,
  ) {}

  get ids(): readonly string[] {
    return this.members;
  }

  get rejected(): number {
    return this.rejectedInputs;
  }

  /** Known after `finish`. */
  get duplicates(): number {
    return this.duplicateContent;
  }

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
      this.rejectedInputs++;
    }
    const fresh: DiscoveredDocument[] = [];
    const failed: string[] = [];
    for (const doc of chunk.documents) {
      const upsert = store.upsertDocument({
        id: doc.id,
        primaryPath: doc.primaryPath,
        container: doc.container,
        sources: doc.sources,
        pathMetadata: doc.pathMetadata,
      });
      if (this.seen.has(doc.id)) continue;
      this.seen.add(doc.id);
      this.members.push(doc.id);
      fresh.push(doc);
      if (upsert.status === "failed") failed.push(doc.id);
    }
    if (this.retryFailed && failed.length > 0) store.resetStatus(failed);
    return fresh;
  }

  /** After the last chunk: reports duplicate content. */
  finish(emit: (event: BatchEvent) => void): BatchMembers {
    let duplicates = 0;
    for (const id of this.members) {
      const record = this.store.getDocument(id);
      if (record && record.duplicatePaths.length > 0) {
        duplicates++;
        emit({ type: "duplicate_content", documentId: id, paths: [record.primaryPath, ...record.duplicatePaths] });
      }
    }
    this.duplicateContent = duplicates;
    // Nothing more will be added: the ids seen (tens of MB at national size) can go.
    this.seen.clear();
    return { ids: this.members, rejected: this.rejectedInputs, duplicates };
  }
}
