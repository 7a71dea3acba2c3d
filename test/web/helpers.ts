import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import type { BatchEvent } from "../../src/batch/events.js";
import type { FormResult, NumberCell } from "../../src/forms/form-result.js";
import { MemoryStore } from "../../src/storage/memory-store.js";
import { formResult } from "../support/form-result.js";
import { checkForm } from "../../src/verify/check-form.js";
import type { PublicDefaults, RunOutcome } from "../../src/web/ports.js";
import { createWebServer, type WebServer } from "../../src/web/server.js";
import { type BatchRunner, StoreBackend } from "../../src/web/store-backend.js";
import type { UploadLimits } from "../../src/web/upload-store.js";

export const TEST_KEY = "sk-test-SECRET-4f9a8b7c6d5e";

export function cell(value: number): NumberCell {
  return { digits: String(value), words: null, value, mark: "digits" };
}

/** A consistent 5/18 constituency form (checks pass); `misread` changes one vote row's value. */
export function makeResult(sourcePath: string, sha: string, unit: number, misread?: { row: number; value: number }): FormResult {
  const votes = [300, 200, 70].map((value, i) => ({ ...cell(value), number: i + 1 }));
  if (misread) {
    const row = votes[misread.row - 1];
    if (row) Object.assign(row, cell(misread.value));
  }
  const base: FormResult = formResult({
    id: sha,
    sources: [{ path: sourcePath, sha256: sha, bytes: 100 }],
    pages: [{ index: 1, role: "counts", sent: true }],
    formCode: "5/18",
    formKind: "constituency",
    location: {
      province: "แพร่",
      provinceId: null,
      constituency: 1,
      district: "เมืองแพร่",
      subdistrict: null,
      unit,
      setNumber: null,
      countingPlace: null,
    },
    totals: {
      eligibleVoters: cell(800),
      votersTurnedUp: cell(600),
      envelopes: null,
      ballotsInEnvelopes: null,
      ballotsReceived: cell(650),
      ballotsUsed: cell(600),
      ballotsRemaining: cell(50),
      good: cell(570),
      bad: cell(20),
      noVote: cell(10),
      voteTotal: cell(570),
    },
    votes,
    provenance: { provider: "fake", model: "fake-model" },
  });
  const outcome = checkForm(base);
  return { ...base, checks: outcome.checks, status: outcome.status, reasons: outcome.reasons };
}

export async function pngBytes(label: number): Promise<Buffer> {
  return sharp({ create: { width: 60, height: 80, channels: 3, background: { r: 255, g: label % 255, b: 255 } } })
    .png()
    .toBuffer();
}

/** Reads every file of the batch folder as a document; files named *misread* get a wrong vote. */
export function scriptedRunner(store: MemoryStore, options: { delayMs?: number } = {}): BatchRunner {
  return async (inputDir, _settings, signal, onEvent): Promise<RunOutcome> => {
    const files = await listFiles(inputDir);
    const emit = (event: BatchEvent) => onEvent(event);
    emit({ type: "run_started", at: new Date().toISOString(), total: files.length, alreadyDone: 0, toProcess: files.length });
    let done = 0;
    for (const [index, file] of files.entries()) {
      if (signal.aborted) return { end: "cancelled", message: "cancelled" };
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      const sha = createHash("sha256")
        .update(await readFile(file))
        .digest("hex");
      emit({ type: "document_started", documentId: sha, path: file });
      const misread = path.basename(file).includes("misread") ? { row: 2, value: 260 } : undefined;
      const result = makeResult(file, sha, index + 1, misread);
      store.upsertDocument({ id: sha, primaryPath: file, container: "image", sources: result.document.sources, pathMetadata: null });
      store.saveResult(result);
      done += 1;
      emit({
        type: "document_finished",
        documentId: sha,
        path: file,
        status: result.status as "verified" | "needs_review",
        reasons: result.reasons,
      });
      emit({
        type: "progress",
        total: files.length,
        done,
        verified: done,
        needsReview: 0,
        failed: 0,
        inFlight: 0,
        requests: done,
        retries: 0,
        rateLimitPauses: 0,
        costUsd: 0,
        docsPerMinute: 60,
        etaMs: 1000,
        elapsedMs: 1000,
      });
    }
    return { end: "completed", message: `${done} documents` };
  };
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else out.push(full);
  }
  return out.sort();
}

export const TEST_DEFAULTS: PublicDefaults = {
  provider: "openrouter",
  model: "google/gemini-2.5-flash",
  baseUrl: "http://127.0.0.1:9/v1",
  providers: ["openrouter", "ollama"],
  keyConfigured: true,
  limits: { workers: 4, rpm: 60 },
};

export interface TestServer {
  readonly server: WebServer;
  readonly store: MemoryStore;
  readonly outDir: string;
  cleanup(): Promise<void>;
}

export async function startTestServer(
  options: {
    token?: string | null;
    uploadLimits?: UploadLimits;
    runner?: (store: MemoryStore) => BatchRunner;
    defaults?: PublicDefaults;
    outDir?: string;
  } = {},
): Promise<TestServer> {
  const outDir = options.outDir ?? (await mkdtemp(path.join(tmpdir(), "ballot-web-")));
  const store = new MemoryStore();
  const backend = new StoreBackend({
    store,
    outDir,
    runner: (options.runner ?? scriptedRunner)(store),
    defaults: options.defaults ?? TEST_DEFAULTS,
    secrets: [TEST_KEY],
  });
  const server = await createWebServer({
    outDir,
    backend,
    token: options.token ?? null,
    ...(options.uploadLimits ? { uploadLimits: options.uploadLimits } : {}),
  });
  return {
    server,
    store,
    outDir,
    cleanup: async () => {
      await server.close();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

/** A multipart body for inject(): per file, a "path" field then the file part. */
export function multipartBody(files: readonly { path: string; data: Buffer }[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----ballot${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const file of files) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="path"\r\n\r\n`));
    chunks.push(Buffer.from(file.path, "utf8"));
    chunks.push(Buffer.from("\r\n"));
    const name = path.posix.basename(file.path.replaceAll("\\", "/"));
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${encodeURIComponent(name)}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
    );
    chunks.push(file.data);
    chunks.push(Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { "content-type": `multipart/form-data; boundary=${boundary}`, host: "127.0.0.1" } };
}
