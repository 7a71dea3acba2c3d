import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
// sharp must stay loaded in the main thread while workers use it (sharp's notes on worker threads).
import "sharp";
import { Slots } from "../basics/slots.js";
import { untilAborted } from "../basics/until-aborted.js";
import type { LocalDocumentRead } from "./local-read.js";
import type { PageImage } from "./local-reader.js";
import type { LocalReadTask } from "./local-read-worker.js";
import { leaseCpuThreads } from "../basics/thread-pool.js";

/**
 * Reads documents with the local reader on worker threads: layout, segmentation and the model
 * take about half a second of CPU per page, which on the main thread would stall progress,
 * timers and the web server. Idle threads do not keep the process alive.
 */
export interface LocalReadPool {
  /** Rejects with the signal's reason as soon as it is aborted; the thread stops at its next page. */
  read(images: readonly PageImage[], signal?: AbortSignal): Promise<LocalDocumentRead>;
  /** Stops running reads at their next page and waits for the threads; waiting reads are refused. */
  close(): Promise<void>;
}

function workerFilename(): string {
  const here = import.meta.url;
  const entry = here.endsWith(".ts") ? "./local-read-worker-source.mjs" : "./local-read-worker.js";
  return fileURLToPath(new URL(entry, here));
}

class PoolClosedError extends Error {
  constructor() {
    super("The local read pool is closed.");
  }
}

/**
 * A task is never cancelled by terminating its thread: a worker terminated while onnxruntime runs
 * aborts the whole process ("terminate called after throwing an instance of 'Napi::Error'").
 * Reads wait for a thread here, where waiting is cancellable; a running read is asked to stop
 * through shared memory, which the worker checks between pages.
 */
export function createLocalReadPool(modelPath: string, threads = availableParallelism()): LocalReadPool {
  const size = Math.max(1, Math.floor(threads));
  // The process's CPU threads, shared with preparation: `threads` bounds this pool's reads in flight.
  const piscina = leaseCpuThreads<LocalReadTask, LocalDocumentRead>();
  const entry = { filename: workerFilename(), name: "localReadTask" };
  const running = new Set<Int32Array>();
  const slots = new Slots(size);
  let closed = false;

  return {
    async read(images, signal) {
      if (closed) throw new PoolClosedError();
      await slots.acquire(signal);
      const stopFlag = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
      running.add(stopFlag);
      const task: LocalReadTask = { modelPath, images: images.map((image) => ({ page: image.page, data: image.data })), stopFlag };
      const work = piscina.run(task, entry).finally(() => {
        running.delete(stopFlag);
        slots.release();
      });
      if (!signal) return work;
      return untilAborted(work, signal, () => {
        Atomics.store(stopFlag, 0, 1);
        throw signal.reason;
      });
    },
    async close() {
      closed = true;
      slots.refuseWaiting(new PoolClosedError());
      for (const flag of running) Atomics.store(flag, 0, 1);
      await piscina.close();
    },
  };
}
