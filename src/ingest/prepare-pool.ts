import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
// sharp must stay loaded in the main thread while workers use it, or libvips can be unloaded when
// a worker exits (sharp's documentation on worker threads).
import "sharp";
import { err } from "../basics/result.js";
import { ingestError } from "./ingest-error.js";
import { fromWire, type PrepareTask, type WireResult } from "./prepare-wire.js";
import type { DiscoveredDocument, PrepareOptions, PrepareResult } from "./types.js";
import { errorMessage } from "../basics/error-message.js";
import { Slots } from "../basics/slots.js";
import { untilAborted } from "../basics/until-aborted.js";
import { leaseCpuThreads } from "../basics/thread-pool.js";

export interface PreparePool {
  /** Worker threads in the pool (the most documents prepared at once). */
  readonly threads: number;
  /**
   * Prepares one document in a worker thread. Resolves with the pages or a per-document error
   * (a crashed worker included); rejects with the signal's reason as soon as it is aborted.
   */
  prepare(doc: DiscoveredDocument, options: PrepareOptions, signal: AbortSignal): Promise<PrepareResult>;
  /** Waits for running documents, then stops the threads. */
  close(): Promise<void>;
}

export interface PreparePoolOptions {
  /** Defaults to the number of cores. */
  readonly threads?: number;
}

/**
 * Workers run the compiled `prepare-worker.js` next to this file. When this module is itself the
 * TypeScript source (vitest, tsx), they start from `prepare-worker-source.mjs`, which loads
 * `prepare-worker.ts` through tsx (execArgv `--import tsx` does not reach worker entries on Node 20).
 */
function workerFilename(): string {
  const here = import.meta.url;
  const entry = here.endsWith(".ts") ? "./prepare-worker-source.mjs" : "./prepare-worker.js";
  return fileURLToPath(new URL(entry, here));
}

export function createPreparePool(options: PreparePoolOptions = {}): PreparePool {
  const threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
  // The worker module is named per task, not at construction: piscina loses tasks (they never
  // settle) when a module named at construction fails to load, but rejects them when it is per task.
  const entry = { filename: workerFilename(), name: "prepareTask" };
  // The process's CPU threads, shared with the offline reader: `threads` bounds this pool's documents in flight.
  const piscina = leaseCpuThreads<PrepareTask, WireResult>();
  // At most `threads` documents are in workers; the rest wait here, cancellable.
  const slots = new Slots(threads);
  let closed = false;

  async function runInWorker(doc: DiscoveredDocument, prepareOptions: PrepareOptions, cancelFlag: Int32Array): Promise<PrepareResult> {
    try {
      const wire = await piscina.run({ doc, options: prepareOptions, cancelFlag }, entry);
      return fromWire(wire);
    } catch (thrown) {
      return err(ingestError("worker_failed", `The preparation worker failed: ${errorMessage(thrown)}`));
    } finally {
      slots.release();
    }
  }

  return {
    threads,
    async prepare(doc, prepareOptions, signal) {
      if (closed) throw new Error("The prepare pool is closed.");
      await slots.acquire(signal);
      if (signal.aborted) {
        slots.release();
        throw signal.reason;
      }
      const cancelFlag = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
      // On abort the worker stops at its next page boundary; the caller does not wait for it.
      const result = await untilAborted(runInWorker(doc, prepareOptions, cancelFlag), signal, () => {
        Atomics.store(cancelFlag, 0, 1);
        throw signal.reason;
      });
      if (signal.aborted) throw signal.reason;
      return result;
    },
    async close() {
      closed = true;
      await piscina.close();
    },
  };
}
