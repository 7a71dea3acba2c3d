import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { commitTemporary, discardTemporary, temporaryPathFor } from "../basics/atomic-file.js";

/**
 * Writes text to a file with back-pressure, so a large export never buffers in memory. The text
 * goes to a temporary file that replaces `path` only on close(): a crash mid-write leaves the
 * previous file whole.
 */
export class LineWriter {
  private readonly stream: WriteStream;
  private readonly temporary: string;
  private failure: Error | null = null;

  constructor(readonly path: string) {
    this.temporary = temporaryPathFor(path);
    this.stream = createWriteStream(this.temporary, { encoding: "utf8", flags: "wx" });
    this.stream.on("error", (error) => {
      this.failure = error;
    });
  }

  async write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.stream.write(text)) await once(this.stream, "drain");
  }

  /** Finishes the file and puts it in place of `path`. */
  async close(): Promise<void> {
    if (this.failure) throw this.failure;
    this.stream.end();
    await once(this.stream, "finish");
    await commitTemporary(this.temporary, this.path);
  }

  /** Drops what was written; `path` keeps its previous content. Safe after close(). */
  async abandon(): Promise<void> {
    if (!this.stream.closed) {
      this.stream.destroy();
      await once(this.stream, "close").catch(() => undefined);
    }
    await discardTemporary(this.temporary);
  }
}
