import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

// Apart from the model loaders so that naming a model does not load onnxruntime in the main thread.

/** The model the offline reader uses unless told otherwise. */
export const DEFAULT_LOCAL_MODEL = "digits.onnx";

/** A committed model file in src/local/model, found from src (tsx) or from dist. */
export function committedModelPath(file: string): string {
  const candidates = [new URL(`../model/${file}`, import.meta.url), new URL(`../../../src/local/model/${file}`, import.meta.url)];
  for (const candidate of candidates) {
    const path = fileURLToPath(candidate);
    if (existsSync(path)) return path;
  }
  return fileURLToPath(candidates[0]!);
}

export function defaultLocalModelPath(): string {
  return committedModelPath(DEFAULT_LOCAL_MODEL);
}
