import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { link, mkdir, readdir, rm, stat, unlink } from "node:fs/promises";
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
  /** Batches this server keeps, and bytes in all of them together. */
  readonly maxBatches?: number;
  readonly maxTotalBytes?: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxFileBytes: 50 * 1024 * 1024,
  maxBatchBytes: 4 * 1024 * 1024 * 1024,
  maxBatchFiles: 20_000,
  maxFilesPerRequest: 200,
  maxBatches: 1000,
  maxTotalBytes: 20 * 1024 * 1024 * 1024,
};

/** Stored plus in flight: uploads running in parallel reserve their share before it is theirs. */
interface Usage {
  files: number;
  bytes: number;
  pendingFiles: number;
  pendingBytes: number;
}

/** Every batch together: the server-wide limits are on batches and bytes only. */
interface ServerUsage {
  batches: number;
  bytes: number;
  pendingBytes: number;
}

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
  const stamp = now
    .toISOString()
    .replace(/[^0-9]/g, "")
    .slice(0, 14);
  return `b${stamp}-${randomBytes(3).toString("hex")}`;
}

/**
 * Uploaded files live under <root>/<batch>/<relative path>. Each file is streamed to a
 * temporary name outside every batch folder, checked, then linked into place (never overwriting).
 */
export class UploadStore {
  readonly #usage = new Map<string, Promise<Usage>>();
  /** Every batch together: summed once from disk, then kept up to date. */
  #server: Promise<ServerUsage> | null = null;
  readonly #incoming: string;

  constructor(
    readonly root: string,
    readonly limits: UploadLimits,
  ) {
    this.#incoming = path.join(root, ".incoming");
  }

  /** Removes temporary files that a crash or a killed server left behind; call once at start. */
  async cleanIncoming(): Promise<void> {
    await rm(this.#incoming, { recursive: true, force: true });
  }

  async createBatch(): Promise<Result<string, string>> {
    const server = await this.#serverUsage();
    const maxBatches = this.limits.maxBatches ?? Number.POSITIVE_INFINITY;
    if (server.batches >= maxBatches) return err(`this server already holds ${server.batches} batches (limit ${maxBatches})`);
    server.batches += 1;
    const id = newBatchId(new Date());
    this.#usage.set(id, Promise.resolve({ files: 0, bytes: 0, pendingFiles: 0, pendingBytes: 0 }));
    return ok(id);
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
    return { id, files: usage.files, bytes: usage.bytes };
  }

  async listBatches(): Promise<readonly BatchInfo[]> {
    const ids = await this.#batchIdsOnDisk();
    for (const id of this.#usage.keys()) if (!ids.includes(id)) ids.push(id);
    ids.sort().reverse();
    return Promise.all(ids.map((id) => this.info(id)));
  }

  async listFiles(id: string): Promise<readonly { path: string; bytes: number }[]> {
    const dir = path.join(this.root, id);
    const files = await walk(dir);
    return files.map((f) => ({ path: path.relative(dir, f.path).split(path.sep).join("/"), bytes: f.bytes }));
  }

  /**
   * Stores one uploaded file; the stream is always consumed to the end, so the next part can
   * follow, and every failure is this file's refusal with a reason, never an exception.
   */
  async save(batch: string, rawPath: string, stream: Readable & { truncated?: boolean }): Promise<Result<AcceptedFile, RefusedFile>> {
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
    const usage = await this.#usageOf(batch);
    const server = await this.#serverUsage();
    // Reserve the file's place before the first await that could let a parallel upload in.
    if (usage.files + usage.pendingFiles >= this.limits.maxBatchFiles) {
      return refuse(`too many files in this batch (limit ${this.limits.maxBatchFiles})`);
    }
    usage.pendingFiles += 1;
    let reserved = 0;
    const release = () => {
      usage.pendingFiles -= 1;
      usage.pendingBytes -= reserved;
      server.pendingBytes -= reserved;
      reserved = 0;
    };
    try {
      return await this.#store(
        batch,
        clean.value,
        stream,
        usage,
        server,
        (n) => {
          reserved += n;
          usage.pendingBytes += n;
          server.pendingBytes += n;
        },
        () => {
          usage.files += 1;
          usage.bytes += reserved;
          server.bytes += reserved;
        },
      );
    } catch {
      stream.resume();
      return err({ path: clean.value, reason: "could not store the file" });
    } finally {
      release();
    }
  }

  async #store(
    batch: string,
    cleanPath: string,
    stream: Readable & { truncated?: boolean },
    usage: Usage,
    server: ServerUsage,
    reserve: (bytes: number) => void,
    commit: () => void,
  ): Promise<Result<AcceptedFile, RefusedFile>> {
    const maxTotal = this.limits.maxTotalBytes ?? Number.POSITIVE_INFINITY;
    await mkdir(this.#incoming, { recursive: true });
    const temp = path.join(this.#incoming, randomBytes(12).toString("hex"));
    let head = Buffer.alloc(0);
    let bytes = 0;
    let overBatch = false;
    let overServer = false;
    const limits = this.limits;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (head.length < SNIFF_BYTES) head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
        bytes += chunk.length;
        if (!overBatch && !overServer) {
          reserve(chunk.length);
          overBatch = usage.bytes + usage.pendingBytes > limits.maxBatchBytes;
          overServer = server.bytes + server.pendingBytes > maxTotal;
        }
        done(null, overBatch || overServer ? undefined : chunk);
      },
    });
    try {
      await pipeline(stream, meter, createWriteStream(temp, { flags: "wx" }));
    } catch {
      await unlink(temp).catch(() => undefined);
      return err({ path: cleanPath, reason: "upload interrupted" });
    }
    const discard = async (reason: string): Promise<Result<AcceptedFile, RefusedFile>> => {
      await unlink(temp).catch(() => undefined);
      return err({ path: cleanPath, reason });
    };
    try {
      if (stream.truncated === true) return await discard(`file is larger than the limit of ${formatBytes(this.limits.maxFileBytes)}`);
      if (overBatch) return await discard(`batch is larger than the limit of ${formatBytes(this.limits.maxBatchBytes)}`);
      if (overServer) return await discard(`this server's uploads are at their limit of ${formatBytes(maxTotal)}`);
      if (bytes === 0) return await discard("file is empty");
      const kind = sniffUploadKind(head);
      if (kind === null) return await discard("not a PDF, PNG, JPEG, WebP or TIFF file (checked by content)");
      const naming = extensionFor(kind, cleanPath);
      if (naming.kind === "mismatch") return await discard(`content is ${kind.toUpperCase()} but the name ends in ${naming.claimed}`);
      const finalRelative = naming.kind === "append" ? cleanPath + naming.extension : cleanPath;
      const target = resolveInside(path.join(this.root, batch), finalRelative);
      if (!target.ok) return await discard(target.error);
      try {
        await mkdir(path.dirname(target.value), { recursive: true });
      } catch {
        // e.g. "c.pdf/d.pdf" after a file "c.pdf": a folder cannot take the file's name.
        return await discard("a file in the batch has the name of this file's folder");
      }
      try {
        await link(temp, target.value);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        return await discard(
          code === "EEXIST"
            ? "a file with this path is already in the batch"
            : code === "ENOTDIR"
              ? "a file in the batch has the name of this file's folder"
              : "could not store the file",
        );
      }
      await unlink(temp).catch(() => undefined);
      commit();
      return ok({ path: finalRelative, kind, bytes });
    } catch {
      return await discard("could not store the file");
    }
  }

  #usageOf(id: string): Promise<Usage> {
    let usage = this.#usage.get(id);
    if (usage === undefined) {
      // One promise per batch, so two parallel first uploads count into the same object.
      usage = walk(path.join(this.root, id)).then((files) => ({
        files: files.length,
        bytes: files.reduce((sum, f) => sum + f.bytes, 0),
        pendingFiles: 0,
        pendingBytes: 0,
      }));
      this.#usage.set(id, usage);
    }
    return usage;
  }

  #serverUsage(): Promise<ServerUsage> {
    this.#server ??= (async () => {
      const ids = await this.#batchIdsOnDisk();
      const usages = await Promise.all(ids.map((id) => this.#usageOf(id)));
      return {
        batches: ids.length,
        bytes: usages.reduce((sum, u) => sum + u.bytes, 0),
        pendingBytes: 0,
      };
    })();
    return this.#server;
  }

  async #batchIdsOnDisk(): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isDirectory() && isBatchId(e.name)).map((e) => e.name);
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
