import { closeSync, existsSync, ftruncateSync, openSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { z } from "zod";
import { parseJsonWith } from "../basics/parse-json.js";
import { err, ok, type Result } from "../basics/result.js";
import { SqliteStore } from "../storage/sqlite-store.js";
import type { Store } from "../storage/store.js";
import { statePath } from "./state-path.js";

/**
 * One run per output folder. The lock is an exclusive SQLite transaction held open on
 * `run.lock` for the whole run: SQLite takes it with the operating system's file locks, so the
 * kernel releases it the moment the holder dies (kill -9 included) and two starts can never
 * both win. Nothing stored in a file decides who holds it, so no stale content can block a run.
 */
export const LOCK_FILE = "run.lock";
/** Store meta key holding who took the lock, for messages and `status` only. */
export const LOCK_HOLDER_KEY = "lock";

export type LockRole = "process" | "coordinator" | "web";

export interface LockHolder {
  readonly pid: number;
  readonly at: string;
  readonly role?: LockRole | undefined;
}

export interface FolderLock {
  /** Records this process as the holder in the folder's store (informational: `status` and refusals show it). */
  recordIn(store: Store): void;
  release(): void;
}

export interface TakeLockOptions {
  readonly role?: LockRole;
  /** How long to wait for a lock held only for a moment (a `status` probe). Default 250 ms. */
  readonly waitMs?: number;
}

export interface LockRefused {
  readonly kind: "held";
  /** A sentence for the person: which folder, and which run holds it when that is known. */
  readonly message: string;
}

const HolderSchema = z.object({ pid: z.number().int(), at: z.string(), role: z.enum(["process", "coordinator", "web"]).optional() });

/** The holder last recorded in the store, or null when nothing readable is there. Never decides anything. */
export function recordedHolder(store: Store): LockHolder | null {
  return parseJsonWith(HolderSchema, store.getMeta(LOCK_HOLDER_KEY));
}

export function lockPath(outDir: string): string {
  return join(outDir, LOCK_FILE);
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "SQLITE_BUSY" || code === "SQLITE_LOCKED";
}

function isNotADatabase(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT";
}

/**
 * Takes the folder's lock (the folder must exist), or says who holds it. Take it before opening
 * the folder's store, so that concurrent starts never race to create the store.
 */
export function takeFolderLock(outDir: string, options: TakeLockOptions = {}): Result<FolderLock, LockRefused> {
  const file = lockPath(outDir);
  for (let attempt = 0; ; attempt++) {
    const db = new Database(file, { timeout: options.waitMs ?? 250 });
    try {
      // The lock file holds no data: an exclusive transaction that never writes leaves it empty.
      db.exec("BEGIN EXCLUSIVE");
      const holder: LockHolder = { pid: process.pid, at: new Date().toISOString(), role: options.role };
      return ok({
        recordIn(store: Store) {
          store.setMeta(LOCK_HOLDER_KEY, JSON.stringify(holder));
        },
        release() {
          if (!db.open) return;
          try {
            db.exec("ROLLBACK");
          } finally {
            db.close();
          }
        },
      });
    } catch (error) {
      db.close();
      if (isBusy(error)) return err({ kind: "held", message: heldMessage(outDir) });
      // Something overwrote the lock file with non-SQLite bytes. Emptying it in place keeps the
      // inode, so a run that holds its lock keeps it; an empty file is a valid empty database.
      if (isNotADatabase(error) && attempt === 0) {
        emptyInPlace(file);
        continue;
      }
      throw error;
    }
  }
}

/** Whether some run holds the folder's lock right now (for `status`); never takes it for longer than a read. */
export function isFolderLocked(outDir: string): boolean {
  let db: Database.Database;
  try {
    db = new Database(lockPath(outDir), { timeout: 0, fileMustExist: true });
  } catch {
    return false;
  }
  try {
    db.prepare("SELECT count(*) FROM sqlite_master").get();
    return false;
  } catch (error) {
    return isBusy(error);
  } finally {
    db.close();
  }
}

function heldMessage(outDir: string): string {
  const holder = holderFromState(outDir);
  const who = holder && holder.pid !== process.pid ? `another run (pid ${holder.pid}, started ${holder.at})` : "another run";
  return `${who} is using ${outDir}; wait for it or stop it first`;
}

/** The holder recorded in the folder's store, when the store exists and can be read now. */
function holderFromState(outDir: string): LockHolder | null {
  const file = statePath(outDir);
  if (!existsSync(file)) return null;
  try {
    const store = SqliteStore.open(file);
    try {
      return recordedHolder(store);
    } finally {
      store.close();
    }
  } catch {
    return null;
  }
}

function emptyInPlace(file: string): void {
  const fd = openSync(file, "r+");
  try {
    ftruncateSync(fd, 0);
  } finally {
    closeSync(fd);
  }
}
