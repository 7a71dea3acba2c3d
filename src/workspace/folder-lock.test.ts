import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MemoryStore } from "../storage/memory-store.js";
import { isFolderLocked, LOCK_FILE, recordedHolder, takeFolderLock } from "./folder-lock.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "folder-lock-"));
  dirs.push(dir);
  return dir;
}

describe("folder lock", () => {
  it("admits one holder at a time, even within one process, and is free again after release", () => {
    const dir = folder();
    const store = new MemoryStore();
    const first = takeFolderLock(dir, { role: "process" });
    if (first.ok) first.value.recordIn(store);
    expect(first.ok).toBe(true);
    expect(isFolderLocked(dir)).toBe(true);
    const second = takeFolderLock(dir, { waitMs: 0 });
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.error.message).toMatch(/another run is using .*; wait for it or stop it first/);
    if (first.ok) first.value.release();
    expect(isFolderLocked(dir)).toBe(false);
    const third = takeFolderLock(dir);
    expect(third.ok).toBe(true);
    if (third.ok) third.value.release();
  });

  it("records the holder for messages, and reads back stale or broken records as nothing", () => {
    const dir = folder();
    const store = new MemoryStore();
    const lock = takeFolderLock(dir, { role: "web" });
    if (lock.ok) lock.value.recordIn(store);
    expect(recordedHolder(store)).toMatchObject({ pid: process.pid, role: "web" });
    if (lock.ok) lock.value.release();
    for (const broken of ["{not json", '{"pid":1}', "", "null"]) {
      store.setMeta("lock", broken);
      if (broken !== '{"pid":1}') expect(recordedHolder(store)).toBeNull();
      const taken = takeFolderLock(dir);
      expect(taken.ok).toBe(true);
      if (taken.ok) taken.value.release();
    }
  });

  it("takes a lock file someone overwrote with garbage", () => {
    const dir = folder();
    writeFileSync(join(dir, LOCK_FILE), "{not json — and not a database either");
    expect(isFolderLocked(dir)).toBe(false);
    const taken = takeFolderLock(dir);
    expect(taken.ok).toBe(true);
    if (taken.ok) taken.value.release();
  });
});
