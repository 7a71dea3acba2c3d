import { z } from "zod";
import { parseJsonWith } from "../basics/parse-json.js";
import { FormResultSchema, SourceFileSchema } from "../forms/form-result.js";
import type { PathMetadata } from "../forms/path-metadata.js";
import type { DiscoveredDocument } from "../ingest/types.js";
import { ATTEMPT_OUTCOMES, type AttemptRecord, PathMetadataSchema } from "../storage/store.js";

/** BullMQ job name for reading one document. */
export const READ_JOB = "read-document";

/**
 * One job = one document. `doc` is the document as discovered (paths as the user gave them, so the
 * result reads like a local run's); `readPaths` are the same sources as absolute paths on shared
 * storage, which workers may map to their own mount point. Images never travel through Redis.
 */
export const JobDataSchema = z.object({
  doc: z.object({
    id: z.string().regex(/^[0-9a-f]{64}$/),
    container: z.enum(["pdf", "image", "image-series", "tiff"]),
    sources: z.array(SourceFileSchema).min(1),
    primaryPath: z.string(),
    pathMetadata: PathMetadataSchema,
  }),
  readPaths: z.array(z.string()).min(1),
});
export type JobData = z.infer<typeof JobDataSchema>;

export const JobResultSchema = z.object({ result: FormResultSchema });
export type JobResult = z.infer<typeof JobResultSchema>;

export function toDiscoveredDocument(data: JobData["doc"]): DiscoveredDocument {
  return { ...data, pathMetadata: data.pathMetadata as PathMetadata };
}

export const AttemptRecordSchema = z.object({
  documentId: z.string(),
  startedAt: z.number(),
  endedAt: z.number(),
  purpose: z.string(),
  outcome: z.enum(ATTEMPT_OUTCOMES),
  httpStatus: z.number().nullable(),
  message: z.string().nullable(),
  promptTokens: z.number().nullable(),
  completionTokens: z.number().nullable(),
  costUsd: z.number().nullable(),
  model: z.string().nullable(),
});

export function parseAttempt(line: string): AttemptRecord | null {
  return parseJsonWith(AttemptRecordSchema, line);
}
