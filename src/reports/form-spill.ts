import { randomBytes } from "node:crypto";
import { closeSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { FormsByPart } from "../aggregate/batch-analysis.js";
import type { FormSummary } from "../aggregate/form-summary.js";
import { decodeSummary, encodeSummary } from "../aggregate/form-summary-codec.js";
import type { OrderedForm } from "../aggregate/overview-areas.js";

/** Written in chunks of about this size: few system calls, little held in memory. */
const FLUSH_BYTES = 1 << 20;

interface PartIndex {
  readonly orders: number[];
  readonly offsets: number[];
  readonly lengths: number[];
}

/**
 * The exports' forms, kept in a temporary file instead of memory: a national batch is some 200,000
 * summaries (hundreds of MB as objects), and the analysis needs one constituency's at a time. What
 * stays in memory is where each form is in the file. The file is unlinked as soon as it is opened,
 * so a crash leaves nothing behind; close() lets go of it.
 */
export class SpilledForms implements FormsByPart {
  readonly #fd: number;
  readonly #path: string;
  readonly #flushBytes: number;
  readonly #parts = new Map<string, PartIndex>();
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #size = 0;
  #closed = false;

  private constructor(fd: number, path: string, flushBytes: number) {
    this.#fd = fd;
    this.#path = path;
    this.#flushBytes = flushBytes;
  }

  /** A spill in `dir` (the exports' own folder, so it is on the disk that holds them). */
  static open(dir: string, flushBytes = FLUSH_BYTES): SpilledForms {
    const path = join(dir, `.forms-${process.pid}-${randomBytes(4).toString("hex")}.spill`);
    const fd = openSync(path, "wx+");
    try {
      unlinkSync(path);
    } catch {
      // Where an open file cannot be unlinked, the file stays until close() (below) removes it.
    }
    return new SpilledForms(fd, path, flushBytes);
  }

  put(part: string, order: number, form: FormSummary): void {
    const bytes = Buffer.from(encodeSummary(form), "utf8");
    let index = this.#parts.get(part);
    if (!index) {
      index = { orders: [], offsets: [], lengths: [] };
      this.#parts.set(part, index);
    }
    index.orders.push(order);
    index.offsets.push(this.#size);
    index.lengths.push(bytes.length);
    this.#size += bytes.length;
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
    if (this.#pendingBytes >= this.#flushBytes) this.#flush();
  }

  parts(): Iterable<string> {
    return this.#parts.keys();
  }

  formsOf(part: string): OrderedForm[] {
    const index = this.#parts.get(part);
    if (!index) return [];
    this.#flush();
    const forms: OrderedForm[] = [];
    // A constituency's forms are mostly written one after another: read each run of them at once.
    let i = 0;
    while (i < index.offsets.length) {
      let end = i + 1;
      while (end < index.offsets.length && index.offsets[end] === index.offsets[end - 1]! + index.lengths[end - 1]!) end++;
      const start = index.offsets[i]!;
      const length = index.offsets[end - 1]! + index.lengths[end - 1]! - start;
      const chunk = Buffer.allocUnsafe(length);
      let read = 0;
      while (read < length) {
        const got = readSync(this.#fd, chunk, read, length - read, start + read);
        if (got === 0) throw new Error(`form spill: ${length - read} bytes missing at ${start + read}`);
        read += got;
      }
      for (let k = i; k < end; k++) {
        const from = index.offsets[k]! - start;
        const form = decodeSummary(chunk.toString("utf8", from, from + index.lengths[k]!));
        forms.push({ order: index.orders[k]!, form });
      }
      i = end;
    }
    return forms;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending = [];
    closeSync(this.#fd);
    try {
      unlinkSync(this.#path);
    } catch {
      // Already unlinked at open (the usual case).
    }
  }

  #flush(): void {
    if (this.#pendingBytes === 0) return;
    const data = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
    let written = 0;
    while (written < data.length) written += writeSync(this.#fd, data, written, data.length - written);
    this.#pending = [];
    this.#pendingBytes = 0;
  }
}
