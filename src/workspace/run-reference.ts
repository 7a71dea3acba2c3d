import { resolve } from "node:path";
import { z } from "zod";
import { parseJsonWith } from "../basics/parse-json.js";
import { err, ok, type Result } from "../basics/result.js";
import { enrichResult } from "../reference/enrich-result.js";
import { loadReference } from "../reference/load-reference.js";
import type { Reference } from "../reference/reference.js";
import type { Store } from "../storage/store.js";

/** Store meta key: the reference snapshot an output folder was processed with. */
export const REFERENCE_META_KEY = "reference";

const RecordedSchema = z.object({ dir: z.string().min(1), snapshotAt: z.string().nullable() });
export type RecordedReference = z.infer<typeof RecordedSchema>;

export interface RunReference {
  readonly reference: Reference;
  readonly dir: string;
  /** Where it came from: the flag, or the folder's state (a resume or `report` without the flag). */
  readonly from: "flag" | "recorded";
}

/** The reference recorded in the folder's state, or null (none, or unreadable meta). */
export function recordedReference(store: Store): RecordedReference | null {
  return parseJsonWith(RecordedSchema, store.getMeta(REFERENCE_META_KEY));
}

export function recordReference(store: Store, run: RunReference): void {
  const value: RecordedReference = { dir: run.dir, snapshotAt: run.reference.data.source.snapshotAt };
  store.setMeta(REFERENCE_META_KEY, JSON.stringify(value));
}

/**
 * The reference a command uses: the one given with --reference, else the one recorded in the
 * folder's state, else none. A recorded snapshot that no longer loads is an error (the exports
 * would silently lose names and the comparison), not a quiet fallback to none.
 */
export async function resolveRunReference(store: Store | null, given: string | undefined): Promise<Result<RunReference | null, string>> {
  if (given !== undefined) {
    const loaded = await loadReference(given);
    if (!loaded.ok) return err(`--reference ${given}: ${loaded.error.message}`);
    return ok({ reference: loaded.value, dir: resolve(given), from: "flag" });
  }
  const recorded = store ? recordedReference(store) : null;
  if (!recorded) return ok(null);
  const loaded = await loadReference(recorded.dir);
  if (!loaded.ok) {
    return err(
      `the reference this folder was processed with (${recorded.dir}) no longer loads: ${loaded.error.message}; give --reference DIR`,
    );
  }
  return ok({ reference: loaded.value, dir: recorded.dir, from: "recorded" });
}

/**
 * The reference of a run on an open output folder: the one given (recorded in the state, and
 * the stored results brought up to it), else the one recorded there, else none.
 */
export async function referenceForRun(store: Store, given: RunReference | null): Promise<Result<RunReference | null, string>> {
  if (!given) return resolveRunReference(store, undefined);
  recordReference(store, given);
  enrichStoredResults(store, given.reference);
  return ok(given);
}

/**
 * Brings every stored result up to `reference` (province ids, candidate rows; see enrichResult)
 * and saves those that change, a page of documents at a time so memory stays flat. Returns how
 * many results changed.
 */
export function enrichStoredResults(store: Store, reference: Reference): number {
  let changed = 0;
  for (let offset = 0; ; offset += ENRICH_PAGE) {
    const page = store.listDocuments({ limit: ENRICH_PAGE, offset });
    for (const doc of page) {
      const stored = store.getResult(doc.id);
      if (!stored?.ok) continue;
      const enriched = enrichResult(stored.value, reference);
      if (enriched === stored.value) continue;
      store.saveResult(enriched);
      changed += 1;
    }
    if (page.length < ENRICH_PAGE) return changed;
  }
}

const ENRICH_PAGE = 500;
