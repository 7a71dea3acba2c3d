import type { ServerResponse } from "node:http";

/** Bytes a slow client may have queued before it is dropped; EventSource reconnects and gets a fresh snapshot. */
const MAX_BUFFERED_BYTES = 1 << 20;
const HEARTBEAT_MS = 15_000;

export interface SseClient {
  readonly id: number;
  send(event: string, data: unknown): boolean;
  close(): void;
}

/** Fan-out of server-sent events to every open page. */
export class SseHub {
  readonly #clients = new Map<number, ServerResponse>();
  #nextId = 1;
  readonly #heartbeat: NodeJS.Timeout;

  constructor(private readonly redact: (text: string) => string = (text) => text) {
    this.#heartbeat = setInterval(() => this.#comment("ping"), HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  get size(): number {
    return this.#clients.size;
  }

  /** Takes over a raw response; returns the client so the caller can send the first snapshot. */
  attach(res: ServerResponse): SseClient {
    const id = this.#nextId++;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 2000\n\n");
    this.#clients.set(id, res);
    const drop = () => this.#clients.delete(id);
    res.on("close", drop);
    res.on("error", drop);
    return {
      id,
      send: (event, data) => this.#write(id, res, event, data),
      close: () => {
        drop();
        res.end();
      },
    };
  }

  broadcast(event: string, data: unknown): void {
    const frame = this.redact(frameOf(event, data));
    for (const [id, res] of this.#clients) this.#writeFrame(id, res, frame);
  }

  closeAll(): void {
    clearInterval(this.#heartbeat);
    for (const res of this.#clients.values()) res.end();
    this.#clients.clear();
  }

  #comment(text: string): void {
    for (const [id, res] of this.#clients) this.#writeFrame(id, res, `: ${text}\n\n`);
  }

  #write(id: number, res: ServerResponse, event: string, data: unknown): boolean {
    return this.#writeFrame(id, res, this.redact(frameOf(event, data)));
  }

  #writeFrame(id: number, res: ServerResponse, frame: string): boolean {
    if (res.writableEnded || res.destroyed) {
      this.#clients.delete(id);
      return false;
    }
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      this.#clients.delete(id);
      res.destroy();
      return false;
    }
    res.write(frame);
    return true;
  }
}

function frameOf(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
