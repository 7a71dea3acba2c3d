import { extractDocument } from "../extract/extract-document.js";
import type { RequestMode, WitnessSource } from "../extract/types.js";
import { discoverByFolder, discoverDocuments } from "../ingest/discover.js";
import { createPreparePool, type PreparePool } from "../ingest/prepare-pool.js";
import { DEFAULT_PREPARE_OPTIONS } from "../ingest/prepare-options.js";
import type { PrepareOptions } from "../ingest/types.js";
import type { ReferenceLookup } from "../verify/reference-lookup.js";
import type { VerdictOptions } from "../verify/verdict.js";
import type { DocumentPipeline } from "./pipeline.js";

export interface StandardPipelineOptions {
  readonly requestMode: RequestMode;
  readonly reask: boolean;
  readonly providerName: string;
  readonly model: string;
  readonly reference?: ReferenceLookup;
  readonly prepare?: PrepareOptions;
  /** Readers besides the first model (see batch/witness-setup.ts). */
  readonly witnesses?: readonly WitnessSource[];
  /** The verdict rule's options (--accept-single-witness). */
  readonly verdict?: VerdictOptions;
  /** Worker threads for page preparation; default: the number of cores. */
  readonly threads?: number;
}

/** The real pipeline: ingest discovery, page preparation in worker threads, and model extraction. */
export function createStandardPipeline(options: StandardPipelineOptions): DocumentPipeline {
  let pool: PreparePool | null = null;
  const prepareOptions = options.prepare ?? DEFAULT_PREPARE_OPTIONS;
  return {
    discover: (inputs, signal) => discoverDocuments(inputs, { signal }),
    discoverByFolder: (inputs, signal) => discoverByFolder(inputs, { signal }),
    prepare(doc, signal) {
      pool ??= createPreparePool(options.threads === undefined ? {} : { threads: options.threads });
      return pool.prepare(doc, prepareOptions, signal);
    },
    extract: (doc, pages, gate, signal) =>
      extractDocument(
        { doc, pages, reference: options.reference },
        gate,
        {
          requestMode: options.requestMode,
          reask: options.reask,
          providerName: options.providerName,
          model: options.model,
          witnesses: options.witnesses,
          verdict: options.verdict,
        },
        signal,
      ),
    plannedRequests(pages) {
      const sent = pages.filter((p) => p.jpeg !== null).length;
      return options.requestMode === "page" ? sent : Math.min(1, sent);
    },
    async close() {
      await pool?.close();
      pool = null;
    },
  };
}
