import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Replacing a file whole: the new content goes to a temporary file beside it, is flushed to
 * disk, and is renamed over the old one. A crash at any moment leaves either the old file or the
 * new one, never a torn mix (rename within one folder is atomic on POSIX file systems).
 */
export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
}

/** Makes a finished temporary file the real one: flush, then rename over `path`. */
export async function commitTemporary(temporary: string, path: string): Promise<void> {
  const handle = await open(temporary, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}

export async function discardTemporary(temporary: string): Promise<void> {
  await rm(temporary, { force: true });
}

/** Writes `path` through a temporary file; `write` fills the temporary file and must finish before it returns. */
export async function replaceFile(path: string, write: (temporary: string) => Promise<void>): Promise<void> {
  const temporary = temporaryPathFor(path);
  try {
    await write(temporary);
    await commitTemporary(temporary, path);
  } catch (error) {
    await discardTemporary(temporary);
    throw error;
  }
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await replaceFile(path, async (temporary) => {
    const handle = await open(temporary, "wx");
    try {
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
  });
}
