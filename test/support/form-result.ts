import type { FormCode, FormKind } from "../../src/forms/form-kind.js";
import {
  EMPTY_LOCATION,
  EMPTY_PROVENANCE,
  FORM_RESULT_SCHEMA_VERSION,
  type Check,
  type FormResult,
  type Location,
  type PageInfo,
  type Provenance,
  type SourceFile,
  type Status,
  type Totals,
  type VoteRow,
} from "../../src/forms/form-result.js";

/** What a test says about a form; everything else takes the empty default. */
export interface FormResultParts {
  readonly id: string;
  /** Default: one source `/forms/<id prefix>.pdf` of 1000 bytes with the id as its hash. */
  readonly sources?: readonly SourceFile[];
  readonly pages?: readonly PageInfo[];
  readonly formCode: FormCode | null;
  readonly formKind: FormKind | null;
  /** Laid over EMPTY_LOCATION. */
  readonly location?: Partial<Location>;
  readonly totals: Totals;
  readonly votes: readonly VoteRow[];
  readonly checks?: readonly Check[];
  readonly status?: Status;
  readonly reasons?: readonly string[];
  /** Laid over EMPTY_PROVENANCE. */
  readonly provenance?: Partial<Provenance>;
}

/**
 * The one FormResult builder of the test suite. The hand-made forms, the reference fixtures and
 * the property tests' consistent forms describe their forms in their own terms and build them here.
 */
export function formResult(parts: FormResultParts): FormResult {
  return {
    schemaVersion: FORM_RESULT_SCHEMA_VERSION,
    document: {
      id: parts.id,
      sources: parts.sources
        ? parts.sources.map((s) => ({ ...s }))
        : [{ path: `/forms/${parts.id.slice(0, 8)}.pdf`, sha256: parts.id, bytes: 1000 }],
      pages: [...(parts.pages ?? [])],
    },
    formCode: parts.formCode,
    formKind: parts.formKind,
    location: { ...EMPTY_LOCATION, ...parts.location },
    totals: parts.totals,
    votes: [...parts.votes],
    checks: [...(parts.checks ?? [])],
    status: parts.status ?? "verified",
    reasons: [...(parts.reasons ?? [])],
    provenance: { ...EMPTY_PROVENANCE, ...parts.provenance },
  };
}
