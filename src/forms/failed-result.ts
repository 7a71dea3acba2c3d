import {
  EMPTY_LOCATION,
  EMPTY_PROVENANCE,
  emptyTotals,
  FORM_RESULT_SCHEMA_VERSION,
  type FormResult,
  type PageInfo,
  type ProcessingError,
  type Provenance,
  type SourceFile,
} from "./form-result.js";
import type { PathMetadata } from "./path-metadata.js";

export interface FailedDocument {
  readonly id: string;
  readonly sources: readonly SourceFile[];
  readonly pathMetadata: PathMetadata | null;
}

/**
 * The one result recorded for a document that could not be read: status failed, with the reason
 * and the path metadata as its location; `pages` lists the pages when they were prepared.
 */
export function failedResult(
  doc: FailedDocument,
  error: ProcessingError,
  provenance: Partial<Provenance> = {},
  pages: readonly PageInfo[] = [],
): FormResult {
  const meta = doc.pathMetadata;
  return {
    schemaVersion: FORM_RESULT_SCHEMA_VERSION,
    document: { id: doc.id, sources: doc.sources.map((s) => ({ ...s })), pages: [...pages] },
    formCode: meta?.formCode?.value ?? null,
    formKind: meta?.formKind?.value ?? null,
    location: {
      ...EMPTY_LOCATION,
      province: meta?.province?.value ?? null,
      constituency: meta?.constituency?.value ?? null,
      district: meta?.district?.value ?? null,
      subdistrict: meta?.subdistrict?.value ?? null,
      unit: meta?.unit?.value ?? null,
      setNumber: meta?.setNumber?.value ?? null,
    },
    totals: emptyTotals(),
    votes: [],
    checks: [],
    status: "failed",
    reasons: [error.message],
    error,
    provenance: { ...EMPTY_PROVENANCE, ...provenance },
  };
}
