import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
// sharp must stay loaded in the main thread while workers use it (sharp's notes on worker threads).
import "sharp";
import type { LocalDocumentRead } from "./local-read.js";
import type { PageImage } from "./local-reader.js";
import type { LocalReadTask } from "./local-read-worker.js";

/**
 * Reads documents with the local reader on worker threads: layout, segmentation and the CNN
 * take about half a second of CPU per page, which on the main thread would stall progress,
 * timers and the web server. Idle threads do not keep the process alive.
 */
export interface LocalReadPool {
  read(images: readonly PageImage[], signal?: AbortSignal): Promise<LocalDocumentRead>;
}

function workerFilename(): string {
  const here = import.meta.url;
  const entry = here.endsWith(".ts") ? "./local-read-worker-source.mjs" : "./local-read-worker.js";
  return fileURLToPath(new URL(entry, here));
}

export function createLocalReadPool(modelPath: string, threads = availableParallelism()): LocalReadPool {
  const piscina = new Piscina<LocalReadTask, LocalDocumentRead>({
    minThreads: 0,
    maxThreads: Math.max(1, Math.floor(threads)),
    idleTimeout: 30_000,
  });
  piscina.on("error", () => {});
  const entry = { filename: workerFilename(), name: "localReadTask" };
  return {
    read(images, signal) {
      const task: LocalReadTask = { modelPath, images: images.map((image) => ({ page: image.page, data: image.data })) };
      return piscina.run(task, signal ? { ...entry, signal } : entry);
    },
  };
}
