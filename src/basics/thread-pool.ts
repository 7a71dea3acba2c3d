import { Piscina } from "piscina";

export interface ThreadPoolOptions {
  readonly minThreads: number;
  readonly maxThreads: number;
  readonly idleTimeout: number;
  /** Each thread's young-generation limit (V8's default lets it grow to 32 MB). */
  readonly youngGenerationMb: number;
}

/** Which exported function of which worker module runs a task. */
export interface TaskEntry {
  readonly filename: string;
  readonly name: string;
}

/**
 * Worker threads (piscina) that are never torn down while they run a task. A thread terminated
 * inside a native module (sharp, onnxruntime) aborts the whole process instead of exiting, so:
 * - no task is given an abort signal (piscina would terminate its thread); callers stop
 *   waiting instead, and a task that should stop early is told through shared memory;
 * - `close` waits for every task it started before the threads go. Piscina's own close can
 *   resolve while a second thread is still busy, then terminates it.
 */
export interface ThreadPool<Task, Result> {
  run(task: Task, entry: TaskEntry): Promise<Result>;
  /** Refuses new tasks, waits for the running ones, then stops the threads. */
  close(): Promise<void>;
}

export function createThreadPool<Task, Result>(options: ThreadPoolOptions): ThreadPool<Task, Result> {
  const { youngGenerationMb, ...sizes } = options;
  // V8 grows each thread's young generation to 32 MB by default; threads that mostly wait on
  // native code (sharp, onnxruntime) make little garbage, and a small one keeps the run's RSS flat.
  const piscina = new Piscina<Task, Result>({ ...sizes, resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb } });
  // A worker that dies fails its task (the caller handles that); this only keeps the pool's own
  // "error" event from becoming an uncaught exception.
  piscina.on("error", () => {});
  const running = new Set<Promise<Result>>();
  let closing: Promise<void> | null = null;
  return {
    run(task, entry) {
      if (closing !== null) return Promise.reject(new Error("The worker pool is closed."));
      const work = piscina.run(task, { ...entry });
      running.add(work);
      const settle = () => running.delete(work);
      work.then(settle, settle);
      return work;
    },
    close() {
      closing ??= (async () => {
        while (running.size > 0) await Promise.allSettled([...running]);
        await piscina.close();
      })();
      return closing;
    },
  };
}
