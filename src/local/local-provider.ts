import { type ExtractionOutcome, type ExtractionRequest, type LocalFirstProvider, NO_USAGE } from "../providers/provider.js";
import { DEFAULT_MIN_CONFIDENCE, decideLocal, LOCAL_READER_ID, type LocalDecision } from "./decide.js";
import type { LocalDocumentRead } from "./local-read.js";
import { createLocalReadPool, type LocalReadPool } from "./local-read-pool.js";
import { defaultLocalModelPath } from "./recognize/model-path.js";
import { toModelReply } from "./to-model-reply.js";
import { errorMessage } from "../basics/error-message.js";

export const LOCAL_MODEL_NAME = LOCAL_READER_ID;

export interface LocalProviderOptions {
  /** ONNX model (whole-cell recognizer or glyph classifier); default: the committed DEFAULT_LOCAL_MODEL. */
  readonly modelPath?: string;
  /** Glyph probability every cell must reach; default DEFAULT_MIN_CONFIDENCE. */
  readonly minConfidence?: number;
  /** Worker threads that read pages; default: one per core. */
  readonly threads?: number;
}

/** What a local read needs of a request: the document and its page images. */
export type LocalReadRequest = Pick<ExtractionRequest<unknown>, "documentId" | "images">;

/** Reads kept for a second caller of the same pages (documents in flight at once, with margin). */
const RECENT_READS = 64;

/** The local reading plus its verdict, for callers (the cascade) that want more than the reply. */
export interface LocalProviderRead {
  readonly read: LocalDocumentRead;
  readonly decision: LocalDecision;
}

export interface LocalProvider extends LocalFirstProvider {
  /** Reads a request's pages and decides, without shaping a reply. */
  readLocally(request: LocalReadRequest, signal: AbortSignal): Promise<LocalProviderRead>;
  /** Stops running reads at their next page and waits for the worker threads. */
  close(): Promise<void>;
}

/**
 * The offline reader behind the provider seam: no key, no network, no quota. It reads the
 * handwritten digits of the vote and total cells on the CPU and answers in the model-reply
 * shape, with "?" wherever it is not sure. Pages are read on worker threads.
 */
export function createLocalProvider(options: LocalProviderOptions = {}): LocalProvider {
  const modelPath = options.modelPath ?? defaultLocalModelPath();
  const minConfidence = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  let pool: LocalReadPool | null = null;
  const poolOnce = (): LocalReadPool => {
    pool ??= createLocalReadPool(modelPath, options.threads);
    return pool;
  };
  // The model loads on the worker threads. One empty read proves it loads, so a missing or broken
  // model stops the batch early and clearly instead of failing every document.
  let ready: Promise<unknown> | null = null;
  const readyOnce = (): Promise<unknown> => {
    ready ??= poolOnce().read([]);
    return ready;
  };

  const readUncached = async (request: LocalReadRequest, signal: AbortSignal): Promise<LocalProviderRead> => {
    await readyOnce();
    signal.throwIfAborted();
    const images = request.images.map((image) => ({ page: image.page, data: image.data }));
    const read = await poolOnce().read(images, signal);
    return { read, decision: decideLocal(read, minConfidence) };
  };
  // The witness and the first reader (in a local or cascade run) ask for the same pages: one read serves both.
  const recent = new Map<string, Promise<LocalProviderRead>>();
  const readLocally = (request: LocalReadRequest, signal: AbortSignal): Promise<LocalProviderRead> => {
    const key = `${request.documentId}|${request.images.map((image) => `${image.page}:${image.data.length}`).join(",")}`;
    const known = recent.get(key);
    if (known) return known;
    const reading = readUncached(request, signal);
    recent.set(key, reading);
    if (recent.size > RECENT_READS) recent.delete(recent.keys().next().value as string);
    reading.catch(() => recent.delete(key));
    return reading;
  };

  const extract = async <T>(request: ExtractionRequest<T>, { signal }: { signal: AbortSignal }): Promise<ExtractionOutcome<T>> => {
    try {
      await readyOnce();
    } catch (thrown) {
      // Without its model the reader can read nothing: stop the batch, not just this document.
      ready = null;
      return { kind: "fatal", scope: "batch", message: `local model ${modelPath} did not load: ${errorMessage(thrown)}` };
    }
    let local: LocalProviderRead;
    try {
      local = await readLocally(request, signal);
    } catch (thrown) {
      if (signal.aborted) throw thrown;
      return { kind: "fatal", scope: "document", message: `local reader failed: ${errorMessage(thrown)}` };
    }
    const parsed = request.replySchema.safeParse(toModelReply(local.read, local.decision));
    if (!parsed.success) {
      return { kind: "invalid_output", message: `local reply does not fit ${request.schemaName}`, usage: NO_USAGE };
    }
    return { kind: "ok", reply: parsed.data, usage: NO_USAGE, model: LOCAL_MODEL_NAME };
  };

  return {
    name: "local",
    model: LOCAL_MODEL_NAME,
    metered: false,
    remote: null,
    readLocally,
    extract,
    // Every answer is local: the batch gate never puts it through the rate limiter.
    answerLocally: (request, signal) => extract(request, { signal }),
    close: async () => {
      const open = pool;
      pool = null;
      ready = null;
      await open?.close();
    },
  };
}
