import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { failedResult } from "../../../src/forms/failed-result.js";
import type { BatchOptions } from "../../../src/batch/engine.js";
import type { DocumentExtraction, DocumentPipeline, Discovery } from "../../../src/batch/pipeline.js";
import type { ProviderGate } from "../../../src/extract/types.js";
import type { FormResult } from "../../../src/forms/form-result.js";
import { EMPTY_PATH_METADATA } from "../../../src/forms/path-metadata.js";
import type { DiscoveredDocument, PreparedPage, RejectedInput } from "../../../src/ingest/types.js";

/**
 * A pipeline without images: documents are small files (or made up in memory), "pages" are a few
 * bytes, and extraction makes one request per document through the engine's gate. It maps gate
 * outcomes the way the real extraction does, so the engine sees the same shapes.
 */
export interface FakePipelineOptions {
  /** Documents made up in memory, or null to discover files under the inputs. */
  readonly documents?: readonly DiscoveredDocument[] | null;
  readonly prepareMs?: number;
  /** Ids whose preparation fails (a corrupt file). */
  readonly badIds?: ReadonlySet<string>;
  /** Bytes of the fake JPEG per page (memory tests). */
  readonly pageBytes?: number;
}

/** Engine-test options for the fake pipeline: its documents under /scans, quick retries, a fast limiter. */
export const FAST_BATCH_OPTIONS: BatchOptions = {
  inputs: ["/scans"],
  limits: { rps: 200, rpm: null, rpd: null },
  workers: null,
  retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
  timeoutMs: 2_000,
  maxRequests: null,
  maxCostUsd: null,
  waitForQuota: false,
  progressIntervalMs: 50,
};

const ReplySchema = z.object({ documentId: z.string(), votes: z.array(z.int().nonnegative()) });

export function fakeDocument(n: number, folder = "/scans"): DiscoveredDocument {
  const id = createHash("sha256").update(`doc ${n}`).digest("hex");
  const path = `${folder}/unit-${n}.pdf`;
  return {
    id,
    container: "pdf",
    sources: [{ path, sha256: id, bytes: 1000 }],
    primaryPath: path,
    pathMetadata: EMPTY_PATH_METADATA,
  };
}

function discoverFiles(inputs: readonly string[]): Discovery {
  const documents: DiscoveredDocument[] = [];
  const rejected: RejectedInput[] = [];
  const walk = (path: string) => {
    const info = statSync(path);
    if (info.isDirectory()) {
      for (const name of readdirSync(path).sort()) walk(join(path, name));
      return;
    }
    const data = readFileSync(path);
    if (data.length === 0) {
      rejected.push({ path, error: { code: "empty_file", message: `${path} is empty (0 bytes)` } });
      return;
    }
    const id = createHash("sha256").update(data).digest("hex");
    documents.push({
      id,
      container: "pdf",
      sources: [{ path, sha256: id, bytes: data.length }],
      primaryPath: path,
      pathMetadata: EMPTY_PATH_METADATA,
    });
  };
  for (const input of inputs) walk(input);
  return { documents, rejected };
}

export function createFakePipeline(options: FakePipelineOptions = {}): DocumentPipeline {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  return {
    async discover(inputs) {
      return options.documents ? { documents: options.documents, rejected: [] } : discoverFiles(inputs);
    },
    async prepare(doc) {
      if (options.prepareMs) await sleep(options.prepareMs);
      if (options.badIds?.has(doc.id)) return { ok: false, error: { code: "corrupt_file", message: "not a readable PDF" } };
      const page: PreparedPage = {
        index: 1,
        role: "counts",
        sourceWidth: 2480,
        sourceHeight: 3509,
        sourceBytes: 1000,
        jpeg: Buffer.alloc(options.pageBytes ?? 64, 1),
        width: 1131,
        height: 1600,
      };
      return { ok: true, value: [page] };
    },
    async extract(doc, pages, gate: ProviderGate, signal): Promise<DocumentExtraction> {
      const outcome = await gate.call(
        {
          documentId: doc.id,
          purpose: "read",
          promptVersion: "fake-1",
          system: "read the form",
          user: "rows by number",
          images: pages.flatMap((p) => (p.jpeg ? [{ page: p.index, mime: "image/jpeg" as const, data: p.jpeg }] : [])),
          replySchema: ReplySchema,
          schemaName: "fake_reply",
        },
        signal,
      );
      if (signal.aborted) return { kind: "interrupted", outcome: "cancelled", message: "cancelled" };
      switch (outcome.kind) {
        case "ok":
          return { kind: "done", result: verified(doc, outcome.reply.votes) };
        case "rate_limited":
          return outcome.retryAfterMs === null
            ? { kind: "interrupted", outcome: "quota", message: outcome.message }
            : { kind: "interrupted", outcome: "quota", message: outcome.message, retryAfterMs: outcome.retryAfterMs };
        case "fatal":
          if (outcome.scope === "batch") return { kind: "interrupted", outcome: "fatal", message: outcome.message };
          return { kind: "done", result: failedResult(doc, { code: "provider_refused", message: outcome.message }) };
        case "transient":
        case "invalid_output":
          return { kind: "done", result: failedResult(doc, { code: outcome.kind, message: outcome.message }) };
      }
    },
    plannedRequests: (pages) => (pages.some((p) => p.jpeg !== null) ? 1 : 0),
    async close() {},
  };
}

function verified(doc: DiscoveredDocument, votes: readonly number[]): FormResult {
  const { error: _error, ...base } = failedResult(doc, { code: "none", message: "none" });
  return {
    ...base,
    status: "verified",
    reasons: [],
    votes: votes.map((value, i) => ({ number: i + 1, digits: String(value), words: null, value, mark: "digits" as const })),
  };
}
