import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * V8 frees a dead Buffer's memory only in a full collection, and starts one for buffer memory
 * alone after about 64 MB more of it. A batch makes some 100 KB of short-lived buffers per page (the
 * prepared JPEG, the request body, fetch's copy of it), far more than it makes JavaScript garbage,
 * so without help the process's resident size swings by 30–50 MB between collections. This
 * collects as soon as buffer memory has grown by `headroomBytes` above what the last collection
 * left alive, so a large live set (the web server's caches) does not make it collect every tick.
 */
export interface BufferCollectorOptions {
  readonly headroomBytes: number;
  /** Bytes held by ArrayBuffers and Buffers now (`process.memoryUsage().arrayBuffers`). */
  readonly bufferBytes: () => number;
  /** A full collection. */
  readonly collect: () => void;
}

export interface BufferCollector {
  /** Collects when buffer memory is past the limit; true when it did. */
  tick(): boolean;
  readonly collections: number;
}

export function createBufferCollector(options: BufferCollectorOptions): BufferCollector {
  let liveAfterLast = 0;
  let collections = 0;
  return {
    tick() {
      if (options.bufferBytes() <= liveAfterLast + options.headroomBytes) return false;
      options.collect();
      collections++;
      liveAfterLast = options.bufferBytes();
      return true;
    },
    get collections() {
      return collections;
    },
  };
}

/** The engine's full collection, or null when V8 will not expose it. */
function fullCollection(): (() => void) | null {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === "function") return () => exposed();
  // The flag takes effect for contexts made after it is set, which is how `gc` is reached here
  // without starting node with --expose-gc.
  setFlagsFromString("--expose-gc");
  const gc: unknown = runInNewContext("gc");
  return typeof gc === "function" ? () => gc() : null;
}

/**
 * Starts collecting dead buffers early in this thread, checking every `intervalMs`. The timer
 * does not keep the process alive. Returns a function that stops it.
 */
export function collectDeadBuffersEarly(headroomMb = 16, intervalMs = 250): () => void {
  const collect = fullCollection();
  if (collect === null) return () => {};
  const collector = createBufferCollector({
    headroomBytes: headroomMb * 1024 * 1024,
    bufferBytes: () => process.memoryUsage().arrayBuffers,
    collect,
  });
  const timer = setInterval(() => collector.tick(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
