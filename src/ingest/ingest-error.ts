import type { ProcessingError } from "../forms/form-result.js";

/** Every way an input can fail before any model sees it. Stable codes: stored and reported. */
export const INGEST_ERROR_CODES = [
  "not_found",
  "unreadable",
  "empty_file",
  "not_a_supported_file",
  "type_mismatch",
  "corrupt_image",
  "image_too_large",
  "too_many_pages",
  "pdf_encrypted",
  "pdf_damaged",
  "worker_failed",
] as const;
export type IngestErrorCode = (typeof INGEST_ERROR_CODES)[number];

export interface IngestError extends ProcessingError {
  readonly code: IngestErrorCode;
}

export function ingestError(code: IngestErrorCode, message: string): IngestError {
  return { code, message };
}

export function isIngestError(value: unknown): value is IngestError {
  if (typeof value !== "object" || value === null) return false;
  const { code, message } = value as { code?: unknown; message?: unknown };
  return typeof message === "string" && typeof code === "string" && (INGEST_ERROR_CODES as readonly string[]).includes(code);
}

export function formatMegapixels(pixels: number): string {
  return `${(pixels / 1_000_000).toFixed(1)} MP`;
}
