import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { link, mkdir, readdir, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { err, ok, type Result } from "../basics/result.js";
import { extensionFor, SNIFF_BYTES, sniffUploadKind, type UploadKind } from "./file-sniff.js";
import { resolveInside, sanitizeUploadPath } from "./upload-path.js";

export interface UploadLimits {
  readonly maxFileBytes: number;
  readonly maxBatchBytes: number;
  readonly maxBatchFiles: number;
  /** Files in one request; the page sends big selections in several requests. */
  readonly maxFilesPerRequest: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxFileBytes: 50 * 1024 * 1024,
  maxBatchBytes: 4 * 1024 * 1024 * 1024,
  maxBatchFiles: 20_000,
  maxFilesPerRequest: 200,
};

export interface AcceptedFile {
  readonly path: string;
  readonly kind: UploadKind;
  readonly bytes: number;
}

export interface RefusedFile {
  readonly path: string;
  readonly reason: string;
}

export interface BatchInfo {
  readonly id: string;
  readonly files: number;
  readonly bytes: number;
}

const BATCH_ID = /^b[0-9]{14}-[0-9a-f]{6}$/;

export function isBatchId(text: string): boolean {
  return BATCH_ID.test(text);
}

function newBatchId(now: Date): string {
  const stamp = now.toISOString().replace(/[^0-9]/g, "").slice(0, 14);
  return `b${stamp}-${randomBytes(3).toString("hex")}`;
}

/**
 * Uploaded files live under <root>/<batch>/<relative path>. Each file is streamed to a
 * temporary name outside every batch folder, checked, then linked into place (never overwriting).
 */
export class UploadStore {
  readonly #usage = new Map<string, { files: number; bytes: number }>();
  readonly #incoming: string;

  constructor(
    readonly root: string,
    readonly limits: UploadLimits,
  ) {
    this.#incoming = path.join(root, ".incoming");
  }

  createBatch(): string {
    const id = newBatchId(new Date());
    this.#usage.set(id, { files: 0, bytes: 0 });
    return id;
  }

  batchDir(id: string): Result<string, string> {
    if (!isBatchId(id)) return err("unknown batch");
    return ok(path.join(this.root, id));
  }

  async exists(id: string): Promise<boolean> {
    if (!isBatchId(id)) return false;
    if (this.#usage.has(id)) return true;
    return (await stat(path.join(this.root, id)).catch(() => null))?.isDirectory() ?? false;
  }

  async info(id: string): Promise<BatchInfo> {
    const usage = await this.#usageOf(id);
    return { id, ...usage };
  }

  async listBatches(): Promise<readonly BatchInfo[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch(() => []);
    const ids = entries.filter((e) => e.isDirectory() && isBatchId(e.name)).map((e) => e.name);
    for (const id of this.#usage.keys()) if (!ids.includes(id)) ids.push(id);
    ids.sort().reverse();
    return Promise.all(ids.map((id) => this.info(id)));
  }

  async listFiles(id: string): Promise<readonly { path: string; bytes: number }[]> {
    const dir = path.join(this.root, id);
    const files = await walk(dir);
    return files.map((f) => ({ path: path.relative(dir, f.path).split(path.sep).join("/"), bytes: f.bytes }));
  }

  /** Stores one uploaded file; the stream is always consumed to the end, so the next part can follow. */
  async save(batch: string, rawPath: string, stream: Readable & { truncated?: boolean }): Promise<Result<AcceptedFile, RefusedFile>> {
    const usage = await this.#usageOf(batch);
    const refuse = async (reason: string): Promise<Result<AcceptedFile, RefusedFile>> => {
      stream.resume();
      await new Promise<void>((resolve) => {
        if (stream.readableEnded) resolve();
        else stream.once("end", resolve).once("error", () => resolve());
      });
      return err({ path: rawPath, reason });
    };
    const clean = sanitizeUploadPath(rawPath);
    if (!clean.ok) return refuse(clean.error);
    if (usage.files >= this.limits.maxBatchFiles) return refuse(`too many files in this batch (limit ${this.limits.maxBatchFiles})`);

    await mkdir(this.#incoming, { recursive: true });
    const temp = path.join(this.#incoming, randomBytes(12).toString("hex"));
    const budget = this.limits.maxBatchBytes - usage.bytes;
    let head = Buffer.alloc(0);
    let bytes = 0;
    let overBudget = false;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (head.length < SNIFF_BYTES) head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
        bytes += chunk.length;
        if (bytes > budget) overBudget = true;
        done(null, overBudget ? undefined : chunk);
      },
    });
    try {
      await pipeline(stream, meter, createWriteStream(temp, { flags: "wx" }));
    } catch {
      await unlink(temp).catch(() => undefined);
      return err({ path: rawPath, reason: "upload interrupted" });
    }
    const discard = async (reason: string): Promise<Result<AcceptedFile, RefusedFile>> => {
      await unlink(temp).catch(() => undefined);
      return err({ path: clean.value, reason });
    };
    if (stream.truncated === true) return discard(`file is larger than the limit of ${formatBytes(this.limits.maxFileBytes)}`);
    if (overBudget) return discard(`batch is larger than the limit of ${formatBytes(this.limits.maxBatchBytes)}`);
    if (bytes === 0) return discard("file is empty");
    const kind = sniffUploadKind(head);
    if (kind === null) return discard("not a PDF, PNG, JPEG, WebP or TIFF file (checked by content)");
    const naming = extensionFor(kind, clean.value);
    if (naming.kind === "mismatch") return discard(`content is ${kind.toUpperCase()} but the name ends in ${naming.claimed}`);
    const finalRelative = naming.kind === "append" ? clean.value + naming.extension : clean.value;
    const target = resolveInside(path.join(this.root, batch), finalRelative);
    if (!target.ok) return discard(target.error);
    await mkdir(path.dirname(target.value), { recursive: true });
    try {
      await link(temp, target.value);
    } catch (error) {
      const exists = (error as NodeJS.ErrnoException).code === "EEXIST";
      return discard(exists ? "a file with this path is already in the batch" : "could not store the file");
    }
    await unlink(temp).catch(() => undefined);
    usage.files += 1;
    usage.bytes += bytes;
    return ok({ path: finalRelative, kind, bytes });
  }

  async #usageOf(id: string): Promise<{ files: number; bytes: number }> {
    let usage = this.#usage.get(id);
    if (usage === undefined) {
      const files = await walk(path.join(this.root, id));
      usage = { files: files.length, bytes: files.reduce((sum, f) => sum + f.bytes, 0) };
      this.#usage.set(id, usage);
    }
    return usage;
  }
}

async function walk(dir: string): Promise<{ path: string; bytes: number }[]> {
  const out: { path: string; bytes: number }[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (entry.isFile()) out.push({ path: full, bytes: (await stat(full)).size });
  }
  return out;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${Math.round((bytes / 1024 ** 3) * 10) / 10} GB`;
  if (bytes >= 1024 ** 2) return `${Math.round((bytes / 1024 ** 2) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}
