import { availableParallelism } from "node:os";
import { Piscina } from "piscina";

/** Which exported function of which worker module runs a task. */
export interface TaskEntry {
  readonly filename: string;
  readonly name: string;
}

/**
 * A lease on the process's CPU threads (piscina), never torn down while they run a task. A
 * thread terminated inside a native module (sharp, onnxruntime) aborts the whole process instead
 * of exiting, so:
 * - no task is given an abort signal (piscina would terminate its thread); callers stop
 *   waiting instead, and a task that should stop early is told through shared memory;
 * - `close` waits for every task the lease started. Piscina's own close can resolve while a
 *   second thread is still busy, then terminates it.
 */
export interface ThreadPool<Task, Result> {
  run(task: Task, entry: TaskEntry): Promise<Result>;
  /** Refuses new tasks, waits for the running ones, then lets go of the threads. */
  close(): Promise<void>;
}

interface SharedThreads {
  readonly piscina: Piscina;
  leases: number;
}

let shared: SharedThreads | null = null;

/**
 * Preparation, the offline reader and cell crops all run on one set of threads, one per core.
 * Separate pools gave each its own threads (five on two cores): no more throughput, since the
 * work is CPU-bound, and each thread kept about 45 MB of native memory (V8 isolate, malloc arena,
 * libvips and onnxruntime buffers). Each caller still bounds its own tasks in flight; the threads
 * stop when the last lease is closed, and idle threads do not keep the process alive.
 */
export function leaseCpuThreads<Task, Result>(): ThreadPool<Task, Result> {
  shared ??= { piscina: createPiscina(), leases: 0 };
  const threads = shared;
  threads.leases++;
  const running = new Set<Promise<Result>>();
  let closing: Promise<void> | null = null;
  return {
    run(task, entry) {
      if (closing !== null) return Promise.reject(new Error("The worker pool is closed."));
      const work = threads.piscina.run(task, { ...entry }) as Promise<Result>;
      running.add(work);
      const settle = () => running.delete(work);
      work.then(settle, settle);
      return work;
    },
    close() {
      closing ??= (async () => {
        while (running.size > 0) await Promise.allSettled([...running]);
        threads.leases--;
        if (threads.leases > 0) return;
        // A lease taken from now on starts fresh threads.
        if (shared === threads) shared = null;
        await threads.piscina.close();
      })();
      return closing;
    },
  };
}

function createPiscina(): Piscina {
  const piscina = new Piscina({
    minThreads: 0,
    maxThreads: Math.max(1, availableParallelism()),
    idleTimeout: 30_000,
    // V8 lets each thread's young generation grow to 32 MB; layout and segmentation make some
    // JavaScript garbage, sharp and onnxruntime little: 16 MB keeps the run's RSS flat.
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
  });
  // A worker that dies fails its task (the caller handles that); this only keeps the pool's own
  // "error" event from becoming an uncaught exception.
  piscina.on("error", () => {});
  return piscina;
}
