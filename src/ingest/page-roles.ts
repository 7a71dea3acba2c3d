import { type FormKind, formLayout } from "../forms/form-kind.js";
import type { PreparedPage } from "./types.js";

export type PreparedPageRole = PreparedPage["role"];

/**
 * Which pages of a document hold counts, decided before any model call so signature pages cost
 * nothing:
 * - form kind known (explicit hint, else path metadata) and the page count equals that kind's
 *   printed layout (constituency 2 pages, party-list 4 pages): roles come from `formLayout()`,
 *   i.e. constituency page 2 and party-list page 4 are "signatures";
 * - kind unknown: 2 pages are read as a constituency form, 4 pages as a party-list form;
 * - anything else (1 page, 3 pages, a kind whose page count does not match, a PDF holding
 *   several forms): every page is "unknown" and sent, since skipping a page that holds counts
 *   would lose data while sending an extra page only costs a request.
 */
export function assignPageRoles(pageCount: number, kind: FormKind | null): PreparedPageRole[] {
  const layoutKind = kind ?? inferKindFromPageCount(pageCount);
  if (layoutKind !== null) {
    const layout = formLayout(layoutKind);
    if (layout.length === pageCount) return layout.map((page) => page.role);
  }
  return Array.from({ length: pageCount }, () => "unknown");
}

function inferKindFromPageCount(pageCount: number): FormKind | null {
  if (pageCount === formLayout("constituency").length) return "constituency";
  if (pageCount === formLayout("party_list").length) return "party_list";
  return null;
}

/** Whether a page is encoded and sent to the model. */
export function isPageSent(role: PreparedPageRole, includeSignaturePages: boolean): boolean {
  return role !== "signatures" || includeSignaturePages;
}
