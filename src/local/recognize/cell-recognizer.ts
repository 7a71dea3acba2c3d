import * as ort from "onnxruntime-node";
import { CELL_HEIGHT, CELL_WIDTH } from "./cell-image.js";
import { CTC_ALPHABET, decodeStrings, logSoftmaxRows, type StringGuess } from "./ctc-decode.js";

/** What the sequence recognizer makes of one whole cell. */
export interface CellReading {
  /** The most probable strings ("" = nothing written), most probable first. */
  readonly guesses: readonly StringGuess[];
}

/** Reads whole cells (cellInput rasters) with the CRNN; its temperature is inside the model. */
export interface CellRecognizer {
  readonly kind: "cells";
  readCells(cells: readonly Float32Array[]): Promise<CellReading[]>;
}

/** Cells per inference call: enough to use the CPU well, small enough to keep memory flat. */
const BATCH = 64;

export function cellRecognizerFor(session: ort.InferenceSession): CellRecognizer {
  const inputName = session.inputNames[0] ?? "cells";
  const outputName = session.outputNames[0] ?? "logits";
  const classes = CTC_ALPHABET.length + 1;
  const pixels = CELL_HEIGHT * CELL_WIDTH;
  return {
    kind: "cells",
    async readCells(cells) {
      const readings: CellReading[] = [];
      for (let start = 0; start < cells.length; start += BATCH) {
        const chunk = cells.slice(start, start + BATCH);
        const batch = new Float32Array(chunk.length * pixels);
        chunk.forEach((cell, i) => {
          batch.set(cell, i * pixels);
        });
        const input = new ort.Tensor("float32", batch, [chunk.length, 1, CELL_HEIGHT, CELL_WIDTH]);
        const result = await session.run({ [inputName]: input });
        const output = result[outputName];
        const logits = output?.data as Float32Array | undefined;
        if (!output || !logits) throw new Error("cell recognizer returned no logits");
        const steps = Number(output.dims[1]);
        chunk.forEach((_, i) => {
          const rows = logSoftmaxRows(logits.subarray(i * steps * classes, (i + 1) * steps * classes), steps, classes);
          readings.push({ guesses: decodeStrings(rows, steps, classes) });
        });
      }
      return readings;
    },
  };
}
