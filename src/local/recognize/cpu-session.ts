import * as ort from "onnxruntime-node";

/**
 * An inference session on one CPU thread. The models are tiny (a glyph batch is a few hundred KB of
 * tensors), so onnxruntime's arena and memory-pattern planning buy nothing and each reader thread
 * would keep their pools resident.
 */
export function createCpuSession(modelPath: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(modelPath, {
    executionProviders: ["cpu"],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    enableCpuMemArena: false,
    enableMemPattern: false,
  });
}
