import type { LocalDocumentRead } from "./local-read.js";
import { type LocalModel, readDocument } from "./local-reader.js";
import { loadLocalModel } from "./recognize/local-model.js";

export interface LocalReadTask {
  readonly modelPath: string;
  /** Page images; structured cloning turns each Buffer into a plain Uint8Array. */
  readonly images: readonly { readonly page: number; readonly data: Uint8Array }[];
  /** Set to 1 by the caller to stop before the next page (a cancelled run); shared memory. */
  readonly stopFlag?: Int32Array;
}

/** One model per worker thread and model file, loaded on the thread's first task. */
const classifiers = new Map<string, Promise<LocalModel>>();

/** Worker-thread entry (loaded by piscina, called by name): reads one document's pages. */
export async function localReadTask(task: LocalReadTask): Promise<LocalDocumentRead> {
  let classifier = classifiers.get(task.modelPath);
  if (!classifier) {
    classifier = loadLocalModel(task.modelPath);
    classifiers.set(task.modelPath, classifier);
  }
  const images = task.images.map((image) => ({
    page: image.page,
    data: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength),
  }));
  const { stopFlag } = task;
  const stop = stopFlag
    ? {
        get aborted() {
          return Atomics.load(stopFlag, 0) === 1;
        },
      }
    : undefined;
  return readDocument(images, await classifier, stop);
}
