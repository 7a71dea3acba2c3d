import { fileURLToPath } from "node:url";
// sharp must stay loaded in the main thread while workers use it (sharp's notes on worker threads).
import "sharp";
import { leaseCpuThreads } from "../basics/thread-pool.js";
import { untilAborted } from "../basics/until-aborted.js";
import type { CellCropRequest, CellCropTask, CellCropTaskResult } from "./cell-crop-worker.js";

export type { CellCrop, CellCropRequest, CellCropTaskResult } from "./cell-crop-worker.js";

/**
 * Cell crops on worker threads: laying out a page takes about a fifth of a second of CPU, which
 * on the main thread would stall the web server or a batch's timers. Idle threads exit.
 */
export interface CellCropPool {
  /** `pages` are the document's count pages (JPEG/PNG at the resolution crops should have). */
  crop(
    pages: readonly { readonly page: number; readonly data: Buffer }[],
    requests: readonly CellCropRequest[],
    options?: { readonly maxLongSide?: number; readonly signal?: AbortSignal },
  ): Promise<CellCropTaskResult>;
  close(): Promise<void>;
}

function workerFilename(): string {
  const here = import.meta.url;
  const entry = here.endsWith(".ts") ? "./cell-crop-worker-source.mjs" : "./cell-crop-worker.js";
  return fileURLToPath(new URL(entry, here));
}

/** Crops run on the process's CPU threads (see leaseCpuThreads), queued behind other CPU work. */
export function createCellCropPool(): CellCropPool {
  const piscina = leaseCpuThreads<CellCropTask, CellCropTaskResult>();
  const entry = { filename: workerFilename(), name: "cellCropTask" };
  return {
    crop(pages, requests, options = {}) {
      const task: CellCropTask = {
        pages: pages.map((p) => ({ page: p.page, data: p.data })),
        requests,
        ...(options.maxLongSide !== undefined ? { maxLongSide: options.maxLongSide } : {}),
      };
      // A cancelled crop is let finish on its thread (see ThreadPool) and its answer dropped.
      const running = piscina.run(task, entry);
      const { signal } = options;
      if (signal === undefined) return running;
      return untilAborted(running, signal, () => {
        throw signal.reason;
      });
    },
    close: () => piscina.close(),
  };
}
