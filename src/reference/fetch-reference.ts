import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { err, ok, type Result } from "../basics/result.js";
import type { ReferenceLoadError } from "./reference-load-error.js";
import { MANIFEST_FILE, REFERENCE_FILE_LIST, type ReferenceFileSpec } from "./reference-files.js";
import { validateReferenceFile } from "./validate-file.js";
import { errorMessage } from "../basics/error-message.js";

export const ManifestEntrySchema = z.object({
  key: z.string(),
  fileName: z.string(),
  url: z.string(),
  fetchedAt: z.string(),
  bytes: z.int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ManifestEntry = z.infer<typeof ManifestEntrySchema>;

export const ManifestSchema = z.object({
  source: z.string(),
  /** Time of the newest download; the loader reports it as the snapshot time. */
  fetchedAt: z.string(),
  files: z.array(ManifestEntrySchema),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export type FetchOutcome = "downloaded" | "cached" | "unavailable";

export interface FetchedFile {
  readonly spec: ReferenceFileSpec;
  readonly outcome: FetchOutcome;
  readonly entry: ManifestEntry | null;
  /** Why an optional file is unavailable. */
  readonly note?: string;
}

export interface FetchReferenceOptions {
  readonly dir: string;
  readonly signal?: AbortSignal;
  /** Injected in tests; the global fetch otherwise. */
  readonly fetch?: typeof fetch;
  /** Download again even when the cached copy is intact. */
  readonly refresh?: boolean;
  readonly now?: () => Date;
  readonly onFile?: (file: FetchedFile) => void;
}

export interface FetchReferenceResult {
  readonly dir: string;
  readonly manifestPath: string;
  readonly files: readonly FetchedFile[];
}

const sha256 = (data: Uint8Array): string => createHash("sha256").update(data).digest("hex");

async function readManifest(dir: string): Promise<Manifest | null> {
  try {
    const parsed = ManifestSchema.safeParse(JSON.parse(await readFile(join(dir, MANIFEST_FILE), "utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The cached copy is reused when its bytes still hash to what the manifest recorded. */
async function intactCopy(dir: string, entry: ManifestEntry | undefined): Promise<boolean> {
  if (!entry) return false;
  try {
    return sha256(await readFile(join(dir, entry.fileName))) === entry.sha256;
  } catch {
    return false;
  }
}

async function download(
  spec: ReferenceFileSpec,
  fetchImpl: typeof fetch,
  signal: AbortSignal | undefined,
): Promise<Result<Uint8Array, { status: number | null; message: string }>> {
  let response: Response;
  try {
    response = await fetchImpl(spec.url, signal ? { signal } : {});
  } catch (cause) {
    if (signal?.aborted) throw cause;
    return err({ status: null, message: `${spec.fileName}: download failed from ${spec.url} (${errorMessage(cause)})` });
  }
  if (!response.ok) {
    return err({ status: response.status, message: `${spec.fileName}: ${spec.url} answered HTTP ${response.status}` });
  }
  return ok(new Uint8Array(await response.arrayBuffer()));
}

/**
 * Download the official ECT files into `dir` with a manifest (URL, time, bytes, sha256), reusing
 * intact cached copies. Each download is validated before it replaces the cached file, so a
 * broken answer never poisons the cache. The results files may be unavailable (before election
 * night); the information files are required.
 */
export async function fetchReference(options: FetchReferenceOptions): Promise<Result<FetchReferenceResult, ReferenceLoadError>> {
  const { dir, signal } = options;
  const fetchImpl = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  await mkdir(dir, { recursive: true });
  const previous = await readManifest(dir);
  const entries = new Map((previous?.files ?? []).map((e) => [e.fileName, e]));
  const files: FetchedFile[] = [];
  const report = (file: FetchedFile): void => {
    files.push(file);
    options.onFile?.(file);
  };
  for (const spec of REFERENCE_FILE_LIST) {
    signal?.throwIfAborted();
    const cached = entries.get(spec.fileName);
    if (!options.refresh && (await intactCopy(dir, cached))) {
      report({ spec, outcome: "cached", entry: cached ?? null });
      continue;
    }
    const body = await download(spec, fetchImpl, signal);
    if (!body.ok) {
      if (!spec.required && (await intactCopy(dir, cached))) {
        report({ spec, outcome: "cached", entry: cached ?? null, note: body.error.message });
        continue;
      }
      if (!spec.required) {
        entries.delete(spec.fileName);
        report({ spec, outcome: "unavailable", entry: null, note: body.error.message });
        continue;
      }
      return err({ kind: "download_failed", file: spec.fileName, message: body.error.message });
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(body.value));
    } catch {
      return err({
        kind: "invalid_json",
        file: spec.fileName,
        message: `${spec.fileName}: the download from ${spec.url} is not valid JSON (${body.value.byteLength} bytes)`,
      });
    }
    const valid = validateReferenceFile(spec.fileName, json, spec.schema);
    if (!valid.ok) return valid;
    const path = join(dir, spec.fileName);
    await writeFile(`${path}.part`, body.value);
    await rename(`${path}.part`, path);
    const entry: ManifestEntry = {
      key: spec.key,
      fileName: spec.fileName,
      url: spec.url,
      fetchedAt: now().toISOString(),
      bytes: body.value.byteLength,
      sha256: sha256(body.value),
    };
    entries.set(spec.fileName, entry);
    report({ spec, outcome: "downloaded", entry });
  }
  const list = REFERENCE_FILE_LIST.flatMap((spec) => {
    const entry = entries.get(spec.fileName);
    return entry ? [entry] : [];
  });
  const manifest: Manifest = {
    source: "Election Commission of Thailand, 2026 general election public report data",
    fetchedAt:
      list
        .map((e) => e.fetchedAt)
        .sort()
        .at(-1) ?? "",
    files: list,
  };
  const manifestPath = join(dir, MANIFEST_FILE);
  await writeFile(`${manifestPath}.part`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${manifestPath}.part`, manifestPath);
  return ok({ dir, manifestPath, files });
}
