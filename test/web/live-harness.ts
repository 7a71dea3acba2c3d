import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FormResult } from "../../src/forms/form-result.js";
import { generateSynthBatch, type SynthTruthLine, TRUTH_FILE } from "../../src/synth/generate.js";
import { type FakeProvider, startFakeProvider } from "../support/fake-provider.js";
import { modelReplyFromTruth, reaskReplyFromTruth } from "../support/model-reply-from-truth.js";
import type { RunLimits } from "../../src/web/ports.js";
import type { UploadLimits } from "../../src/web/upload-store.js";
import { startWebApp, type WebApp } from "../../src/web/web-app.js";
import { TEST_KEY } from "./helpers.js";

export interface Misreading {
  readonly documentId: string;
  readonly path: string;
  readonly row: number;
  readonly truthValue: number;
  readonly readValue: number;
}

export interface LiveSetup {
  readonly app: WebApp;
  readonly fake: FakeProvider;
  /** Folder of synthetic scans to upload (truth.jsonl removed from uploads by the caller). */
  readonly sourceDir: string;
  readonly outDir: string;
  readonly truth: readonly SynthTruthLine[];
  readonly misread: Misreading;
  cleanup(): Promise<void>;
}

export interface LiveOptions {
  readonly count: number;
  readonly format: "pdf" | "png";
  readonly seed?: number;
  readonly dpi?: number;
  readonly latencyMs?: number;
  readonly limits?: RunLimits;
  readonly uploadLimits?: UploadLimits;
  /** Reuse synthetic scans generated earlier into this folder (benchmarks). */
  readonly cacheDir?: string;
}

/**
 * Synthetic forms + the fake OpenAI-compatible provider + the real web app on 127.0.0.1.
 * The provider reads one document wrongly on every request (first read and re-ask), so it
 * ends needs_review with a known wrong value.
 */
export async function startLiveSetup(options: LiveOptions): Promise<LiveSetup> {
  const root = await mkdtemp(path.join(tmpdir(), "ballot-web-live-"));
  const sourceDir = options.cacheDir ?? path.join(root, "scans");
  const outDir = path.join(root, "out");
  const cached = options.cacheDir !== undefined && existsSync(path.join(options.cacheDir, TRUTH_FILE));
  if (!cached)
    await generateSynthBatch({
      outDir: sourceDir,
      count: options.count,
      kind: "constituency",
      form: "5/18",
      seed: options.seed ?? 7,
      format: options.format,
      noise: "none",
      errorRate: 0,
      dpi: options.dpi ?? 60,
    });
  const lines = (await readFile(path.join(sourceDir, TRUTH_FILE), "utf8"))
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as SynthTruthLine);
  const target = lines[Math.min(1, lines.length - 1)]!;
  const row = target.truth.votes.find((v) => (v.value ?? 0) >= 10) ?? target.truth.votes[0]!;
  const truthValue = row.value ?? 0;
  const readValue = truthValue + 100;
  const wrong: FormResult = {
    ...target.truth,
    votes: target.truth.votes.map((v) =>
      v.number === row.number ? { ...v, digits: String(readValue), words: null, value: readValue } : v,
    ),
  };
  const truth = new Map(lines.map((line) => [line.truth.document.id, line.truth]));
  const fake = await startFakeProvider({
    truth,
    latencyMs: options.latencyMs ?? 20,
    answer: (request) => {
      if (request.documentId !== target.truth.document.id) return undefined;
      return request.purpose === "reask"
        ? reaskReplyFromTruth(wrong, request.rows, request.totals)
        : modelReplyFromTruth(wrong, { page: request.page });
    },
  });
  const started = await startWebApp({
    host: "127.0.0.1",
    port: 0,
    outDir,
    baseUrl: fake.baseUrl,
    model: "fake-vision",
    limits: options.limits ?? { workers: 4 },
    env: { BALLOT_OCR_API_KEY: TEST_KEY },
    log: () => undefined,
    ...(options.uploadLimits ? { uploadLimits: options.uploadLimits } : {}),
  });
  if (!started.ok) throw new Error(started.error);
  return {
    app: started.value,
    fake,
    sourceDir,
    outDir,
    truth: lines,
    misread: { documentId: target.truth.document.id, path: target.path, row: row.number, truthValue, readValue },
    cleanup: async () => {
      await started.value.close();
      await fake.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
