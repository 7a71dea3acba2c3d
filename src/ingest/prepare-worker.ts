import { move, transferableSymbol, valueSymbol } from "piscina";
import type { Cancellation } from "./cancellation.js";
import { prepareDocumentWith } from "./prepare.js";
import { type PrepareTask, toWire } from "./prepare-wire.js";

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
