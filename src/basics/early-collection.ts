import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * V8 left to itself lets a long run's garbage pile up well past what is alive:
 * - it frees a dead Buffer's memory only in a full collection, and starts one for buffer memory
 *   alone after about 64 MB more of it. A batch makes some 100 KB of short-lived buffers per page
 *   (the prepared JPEG, the request body, fetch's copy of it), so RSS swung by 30–50 MB;
 * - it lets the old generation grow to a few times its live size before marking. A coordinator
 *   collecting 300 results a second (job data, replies, results as JSON) held 25 MB alive in a
 *   heap that swung between 150 and 300 MB.
 * This collects as soon as one gauge (buffer bytes, heap bytes) has grown by its headroom above
 * what the last collection left alive, so a large live set (the web server's caches) does not make
 * it collect every tick.
 */
export interface MemoryGauge {
  readonly headroomBytes: number;
  /** Bytes held now. */
  readonly bytes: () => number;
}

export interface EarlyCollectorOptions {
  readonly gauges: readonly MemoryGauge[];
  /** A full collection. */
  readonly collect: () => void;
}

export interface EarlyCollector {
  /** Collects when a gauge is past its limit; true when it did. */
  tick(): boolean;
  readonly collections: number;
}

export function createEarlyCollector(options: EarlyCollectorOptions): EarlyCollector {
  const { gauges } = options;
  let liveAfterLast = gauges.map(() => 0);
  let collections = 0;
  return {
    tick() {
      if (gauges.every((gauge, i) => gauge.bytes() <= liveAfterLast[i]! + gauge.headroomBytes)) return false;
      options.collect();
      collections++;
      liveAfterLast = gauges.map((gauge) => gauge.bytes());
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

export interface EarlyCollectionSettings {
  readonly bufferHeadroomMb: number;
  readonly heapHeadroomMb: number;
  readonly intervalMs: number;
}

/** 16 MB of dead buffers or 64 MB of heap garbage; a full collection of a 50 MB heap takes some 30 ms. */
export const DEFAULT_EARLY_COLLECTION: EarlyCollectionSettings = { bufferHeadroomMb: 16, heapHeadroomMb: 64, intervalMs: 250 };

/**
 * Starts collecting garbage early in this thread, checking every `intervalMs`. The timer does not
 * keep the process alive. Returns a function that stops it.
 */
export function collectGarbageEarly(settings: EarlyCollectionSettings = DEFAULT_EARLY_COLLECTION): () => void {
  const collect = fullCollection();
  if (collect === null) return () => {};
  const mb = 1024 * 1024;
  const collector = createEarlyCollector({
    gauges: [
      { headroomBytes: settings.bufferHeadroomMb * mb, bytes: () => process.memoryUsage().arrayBuffers },
      // V8's own counter: process.memoryUsage() would also read the resident size from the kernel.
      { headroomBytes: settings.heapHeadroomMb * mb, bytes: () => getHeapStatistics().used_heap_size },
    ],
    collect,
  });
  const timer = setInterval(() => collector.tick(), settings.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
