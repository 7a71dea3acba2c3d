import type { FormCode, FormKind } from "./form-kind.js";

/** A value read from a path, with the path segment it came from. */
export interface PathField<T> {
  readonly value: T;
  /** The folder or file name the value was read from. */
  readonly source: string;
}

export interface PathMetadata {
  /** Official Thai province name (one of the 77). */
  readonly province: PathField<string> | null;
  readonly constituency: PathField<number> | null;
  readonly district: PathField<string> | null;
  readonly subdistrict: PathField<string> | null;
  readonly unit: PathField<number> | null;
  readonly setNumber: PathField<number> | null;
  readonly formCode: PathField<FormCode> | null;
  readonly formKind: PathField<FormKind> | null;
}

// inferPathMetadata(path) is implemented below by the foundation work (issue 2).
