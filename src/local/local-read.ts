import type { FormKind } from "../forms/form-kind.js";
import type { CellKey, PageRole } from "./layout/page-layout.js";
import type { LocalCellRead } from "./recognize/read-cell.js";

/** What the local reader saw on one page. */
export interface LocalPageRead {
  /** 1-based page of the document. */
  readonly page: number;
  readonly role: PageRole | null;
  /** Why the page could not be laid out, when it could not. */
  readonly failure: string | null;
  readonly cells: ReadonlyMap<CellKey, LocalCellRead>;
  readonly cpuMs: number;
}

/** The local reading of a whole document, before any decision. */
export interface LocalDocumentRead {
  readonly kind: FormKind | null;
  readonly pages: readonly LocalPageRead[];
  /** Every cell read, by key; a key seen on two pages keeps the more confident reading. */
  readonly cells: ReadonlyMap<CellKey, LocalCellRead>;
}
