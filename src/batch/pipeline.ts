import type { DocumentExtraction } from "../extract/extract-document.js";
import type { ProviderGate } from "../extract/types.js";
import type { DiscoveredDocument, PreparedPage, PrepareResult, RejectedInput } from "../ingest/types.js";

export type { DocumentExtraction };

export interface Discovery {
  readonly documents: readonly DiscoveredDocument[];
  readonly rejected: readonly RejectedInput[];
}

/**
 * The processing the engine schedules, injected so the engine can be built and tested with fakes:
 * discovery (files → documents), preparation (CPU work, pages → JPEGs) and extraction (model calls
 * through the engine's gate → a checked FormResult).
 */
export interface DocumentPipeline {
  discover(inputs: readonly string[], signal: AbortSignal): Promise<Discovery>;
  /** The same discovery one folder at a time, when the pipeline can (the engine then holds only ids). */
  discoverByFolder?(inputs: readonly string[], signal: AbortSignal): AsyncIterable<Discovery>;
  prepare(doc: DiscoveredDocument, signal: AbortSignal): Promise<PrepareResult>;
  extract(doc: DiscoveredDocument, pages: readonly PreparedPage[], gate: ProviderGate, signal: AbortSignal): Promise<DocumentExtraction>;
  /** Requests the first read of these pages needs (before any retry or re-ask), for --dry-run. */
  plannedRequests(pages: readonly PreparedPage[]): number;
  close(): Promise<void>;
}
