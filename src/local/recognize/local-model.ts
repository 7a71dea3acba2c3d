import { createCpuSession } from "./cpu-session.js";
import type { LocalModel } from "../local-reader.js";
import { cellRecognizerFor } from "./cell-recognizer.js";
import { digitClassifierFor } from "./digit-classifier.js";
import { defaultLocalModelPath } from "./model-path.js";

export { DEFAULT_LOCAL_MODEL, defaultLocalModelPath } from "./model-path.js";

/**
 * Loads either model the reader knows, told apart by the graph's input: "cells" is the
 * whole-cell sequence recognizer, anything else the glyph classifier.
 */
export async function loadLocalModel(modelPath = defaultLocalModelPath()): Promise<LocalModel> {
  const session = await createCpuSession(modelPath);
  return session.inputNames[0] === "cells" ? cellRecognizerFor(session) : digitClassifierFor(session);
}
