import { createHash } from "node:crypto";
import type { Store } from "../storage/store.js";
import type { BatchEvent } from "./events.js";
import { failedResult } from "./failed-result.js";
import type { Discovery } from "./pipeline.js";

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
 * Records what discovery found, as every run (local or coordinated) does: each document once by
 * content hash; each rejected input with a failed result so the exports list it with its reason;
 * the same content under several paths reported as a possible duplicate submission (read once).
 * With `retryFailed`, documents that failed earlier go back to pending.
 */
export function recordDiscovery(store: Store, discovery: Discovery, emit: (event: BatchEvent) => void, retryFailed: boolean): RecordedDiscovery {
  for (const rejected of discovery.rejected) {
    const id = rejectedInputId(rejected.path);
    const sources = [{ path: rejected.path, sha256: id, bytes: 0 }];
    const upsert = store.upsertDocument({ id, primaryPath: rejected.path, container: "unknown", sources, pathMetadata: null, failure: rejected.error });
    if (upsert.inserted) store.saveResult(failedResult({ id, sources, pathMetadata: null }, rejected.error));
  }
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const doc of discovery.documents) {
    store.upsertDocument({ id: doc.id, primaryPath: doc.primaryPath, container: doc.container, sources: doc.sources, pathMetadata: doc.pathMetadata });
    if (seen.has(doc.id)) continue;
    seen.add(doc.id);
    ids.push(doc.id);
  }
  let duplicates = 0;
  for (const id of ids) {
    const record = store.getDocument(id);
    if (record && record.duplicatePaths.length > 0) {
      duplicates++;
      emit({ type: "duplicate_content", documentId: id, paths: [record.primaryPath, ...record.duplicatePaths] });
    }
  }
  if (retryFailed) store.resetStatus(ids.filter((id) => store.getDocument(id)?.status === "failed"));
  return { ids, duplicates };
}
