import * as ort from "onnxruntime-node";
import type { LocalModel } from "../local-reader.js";
import { cellRecognizerFor } from "./cell-recognizer.js";
import { committedModelPath, digitClassifierFor } from "./digit-classifier.js";

/** The model the offline reader uses unless told otherwise. */
export const DEFAULT_LOCAL_MODEL = "digits.onnx";

export function defaultLocalModelPath(): string {
  return committedModelPath(DEFAULT_LOCAL_MODEL);
}

/**
 * Loads either model the reader knows, told apart by the graph's input: "cells" is the
 * whole-cell sequence recognizer, anything else the glyph classifier.
 */
export async function loadLocalModel(modelPath = defaultLocalModelPath()): Promise<LocalModel> {
  const session = await ort.InferenceSession.create(modelPath, {
    executionProviders: ["cpu"],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  return session.inputNames[0] === "cells" ? cellRecognizerFor(session) : digitClassifierFor(session);
}
