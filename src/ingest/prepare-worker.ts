import { move, transferableSymbol, valueSymbol } from "piscina";
import sharp from "sharp";
import type { Cancellation } from "./cancellation.js";
import { prepareDocumentWith } from "./prepare.js";
import { type PrepareTask, toWire } from "./prepare-wire.js";

// Parallelism comes from the pool (one thread per core). libvips' own threads per image and its
// operation cache would multiply memory by the pool's size and grow it with the batch, for no speed.
sharp.concurrency(1);
sharp.cache(false);

/**
 * Worker-thread entry (loaded by piscina, called by name). One document per task: the worker
 * reads the files itself, so only paths go in and only the prepared JPEGs come out, transferred.
 */
export async function prepareTask(task: PrepareTask): Promise<unknown> {
  const cancel: Cancellation = {
    get aborted() {
      return Atomics.load(task.cancelFlag, 0) === 1;
    },
  };
  const result = await prepareDocumentWith(task.doc, task.options, cancel);
  const { wire, transfer } = toWire(result);
  return move({
    get [transferableSymbol]() {
      return transfer;
    },
    get [valueSymbol]() {
      return wire;
    },
  });
}
