import { mkdirSync } from "node:fs";
import { err, ok, type Result } from "../basics/result.js";
import { SqliteStore } from "../storage/sqlite-store.js";
import { type FolderLock, type LockRole, takeFolderLock } from "./folder-lock.js";
import { referenceForRun, type RunReference } from "./run-reference.js";
import { statePath } from "./state-path.js";

/** An output folder opened for a run: its lock held, its store open, its reference settled. */
export interface OpenRunFolder {
  readonly lock: FolderLock;
  readonly store: SqliteStore;
  /** The reference this run uses: the one given, else the one recorded in the folder, else none. */
  readonly reference: RunReference | null;
}

/**
 * Opens `outDir` for a run: creates it, takes its lock before opening the store (so concurrent
 * starts never race to create the store), records the holder, and settles the reference (a resume
 * keeps the recorded one unless another is given). The error is a sentence for the person; the
 * caller releases the lock and closes the store when the run ends.
 */
export async function openRunFolder(outDir: string, role: LockRole, given: RunReference | null): Promise<Result<OpenRunFolder, string>> {
  mkdirSync(outDir, { recursive: true });
  const locked = takeFolderLock(outDir, { role });
  if (!locked.ok) return err(locked.error.message);
  const lock = locked.value;
  const store = SqliteStore.open(statePath(outDir));
  lock.recordIn(store);
  const reference = await referenceForRun(store, given);
  if (!reference.ok) {
    lock.release();
    store.close();
    return err(reference.error);
  }
  return ok({ lock, store, reference: reference.value });
}
