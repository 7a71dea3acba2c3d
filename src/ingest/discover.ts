import type { Dirent, Stats } from "node:fs";
import { open, readdir, realpath, stat } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import type { SourceFile } from "../forms/form-result.js";
import type { PathMetadata } from "../forms/path-metadata.js";
import { inferPathMetadata } from "../forms/path-metadata.js";
import { seriesId, sha256File } from "./file-hash.js";
import { type InputFileType, SNIFF_BYTES, sniffFileType, typeFromExtension } from "./file-type.js";
import { type IngestError, ingestError } from "./ingest-error.js";
import { groupPageSeries } from "./page-series.js";
import { fsPath, nameFromBytes } from "./raw-path.js";
import { comparePaths } from "./path-order.js";
import type { DiscoveredDocument, RejectedInput } from "./types.js";
import { errorMessage } from "../basics/error-message.js";

/*
 * Paths. A document's `sources[].path` (and `primaryPath`) is the path as the user gave it, joined
 * with the file's path under that input root: `samples/a/b.pdf` for the input `samples`, an absolute
 * path for an absolute input. It stays openable from the working directory and reads naturally in
 * reports. Path metadata is inferred from the ABSOLUTE path, so folder names above the input root
 * (a user who ran the tool from inside `จังหวัดแพร่/เขต 1/`) still count.
 */

export interface DiscoverOptions {
  readonly signal?: AbortSignal;
  /** Defaults to `inferPathMetadata`; injectable for tests and callers with their own rules. */
  readonly inferMetadata?: (path: string) => PathMetadata;
}

export interface Discovery {
  readonly documents: DiscoveredDocument[];
  readonly rejected: RejectedInput[];
}

interface Candidate {
  /** Display path: the input as given, joined with the path under it. */
  readonly path: string;
  readonly absolutePath: string;
  /** Named on the command line (not found by walking): unsupported files are reported, not skipped. */
  readonly explicit: boolean;
}

interface AcceptedFile extends Candidate {
  readonly type: InputFileType;
  readonly bytes: number;
  readonly folder: string;
  readonly baseName: string;
}

const HASH_CONCURRENCY = 4;

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new Error("aborted");
}

function isHidden(name: string): boolean {
  return name.startsWith(".");
}

/**
 * One folder at a time, depth first in path order: this folder's own files (as candidates), then
 * each subfolder. Only the folders and files already seen are remembered, never the documents.
 */
async function* walkFolders(
  root: string,
  displayRoot: string,
  seen: SeenPaths,
  signal: AbortSignal | undefined,
): AsyncGenerator<{ readonly files: Candidate[]; readonly rejected: RejectedInput[] }> {
  throwIfAborted(signal);
  const real = (await realpath(fsPath(root), { encoding: "buffer" })).toString("latin1");
  if (seen.folders.has(real)) return; // a symlink loop or the same folder given twice
  seen.folders.add(real);
  let entries: { name: string; entry: Dirent<Buffer> }[];
  try {
    // Names as bytes: a name that is not UTF-8 is kept openable (see raw-path.ts).
    const raw = await readdir(fsPath(root), { withFileTypes: true, encoding: "buffer" });
    entries = raw.map((entry) => ({ name: nameFromBytes(entry.name), entry }));
  } catch (thrown) {
    yield {
      files: [],
      rejected: [{ path: displayRoot, error: ingestError("unreadable", `Cannot read the folder: ${errorMessage(thrown)}`) }],
    };
    return;
  }
  entries.sort((a, b) => comparePaths(a.name, b.name));
  const files: Candidate[] = [];
  const folders: { absolutePath: string; path: string }[] = [];
  for (const { name, entry } of entries) {
    if (isHidden(name)) continue;
    const absolutePath = join(root, name);
    const path = join(displayRoot, name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(fsPath(absolutePath)).catch(() => null);
      if (!target) continue; // dangling link: nothing to read
      isDirectory = target.isDirectory();
      isFile = target.isFile();
    }
    if (isDirectory) folders.push({ absolutePath, path });
    else if (isFile && (await seen.firstTime(absolutePath))) files.push({ path, absolutePath, explicit: false });
  }
  if (files.length > 0) yield { files, rejected: [] };
  for (const folder of folders) yield* walkFolders(folder.absolutePath, folder.path, seen, signal);
}

/** Folders and files already reached: the same file through a folder and a symlink is read once. */
class SeenPaths {
  readonly folders = new Set<string>();
  private readonly files = new Set<string>();

  async firstTime(absolutePath: string): Promise<boolean> {
    const target = fsPath(absolutePath);
    const real = (await realpath(target, { encoding: "buffer" }).catch(() => Buffer.from(target))).toString("latin1");
    if (this.files.has(real)) return false;
    this.files.add(real);
    return true;
  }
}

const TYPE_NAMES: Readonly<Record<InputFileType, string>> = {
  pdf: "PDF",
  png: "PNG",
  jpeg: "JPEG",
  webp: "WebP",
  tiff: "TIFF",
};

/** The leading bytes `sniffFileType` looks at. */
export async function readHeader(path: string | Buffer): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Accepts a candidate, rejects it with a reason, or returns null to skip it silently. */
async function classify(candidate: Candidate): Promise<AcceptedFile | RejectedInput | null> {
  const fileName = basename(candidate.path);
  const promised = typeFromExtension(fileName);
  const reject = (error: IngestError): RejectedInput => ({ path: candidate.path, error });
  let size: number;
  let header: Uint8Array;
  try {
    size = (await stat(fsPath(candidate.absolutePath))).size;
    header = size > 0 ? await readHeader(fsPath(candidate.absolutePath)) : new Uint8Array();
  } catch (thrown) {
    return reject(ingestError("unreadable", `Cannot read the file: ${errorMessage(thrown)}`));
  }
  // Files that neither claim to be a scan nor look like one (our own results.jsonl, *.csv, *.md,
  // *.sqlite, notes…) are skipped silently unless the user named them.
  const relevant = promised !== null || candidate.explicit;
  if (size === 0) {
    return relevant ? reject(ingestError("empty_file", "The file is empty (0 bytes).")) : null;
  }
  const actual = sniffFileType(header);
  if (actual === null) {
    if (!relevant) return null;
    if (promised === null) {
      return reject(ingestError("not_a_supported_file", "Not a PDF, PNG, JPEG, WebP or TIFF file (checked by its content)."));
    }
    return reject(
      ingestError("type_mismatch", `Named like a ${TYPE_NAMES[promised]} file, but its content is not a PDF, PNG, JPEG, WebP or TIFF.`),
    );
  }
  const extension = extname(fileName);
  return {
    ...candidate,
    type: actual,
    bytes: size,
    folder: dirname(candidate.absolutePath),
    baseName: extension ? fileName.slice(0, -extension.length) : fileName,
  };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** How a single file of this type is read as a document. */
export function containerOf(type: InputFileType): DiscoveredDocument["container"] {
  if (type === "pdf") return "pdf";
  if (type === "tiff") return "tiff";
  return "image";
}

/**
 * Walks files and folders (recursively, hidden entries skipped) into documents, in a stable order.
 * A PDF is one document, a TIFF (any number of pages) one document, a loose PNG/JPEG/WebP one
 * document unless it belongs to a page series (see page-series.ts). Rejects only what claims to be a
 * scan but cannot be one; rejects on abort by throwing the signal's reason.
 */
export async function discoverDocuments(inputs: readonly string[], options: DiscoverOptions = {}): Promise<Discovery> {
  const documents: DiscoveredDocument[] = [];
  const rejected: RejectedInput[] = [];
  for await (const chunk of discoverByFolder(inputs, options)) {
    documents.push(...chunk.documents);
    rejected.push(...chunk.rejected);
  }
  documents.sort((a, b) => comparePaths(a.primaryPath, b.primaryPath));
  rejected.sort((a, b) => comparePaths(a.path, b.path));
  return { documents, rejected };
}

/**
 * The same discovery, one folder at a time (a page series never spans folders), so a caller can
 * record each folder's documents and let them go: memory follows the largest folder, not the
 * batch. Inputs that fail outright come first; files named on the command line come last, as one
 * group. Each chunk is sorted by path.
 */
export async function* discoverByFolder(inputs: readonly string[], options: DiscoverOptions = {}): AsyncGenerator<Discovery> {
  const { signal } = options;
  const inferMetadata = options.inferMetadata ?? inferPathMetadata;
  const seen = new SeenPaths();
  const explicit: Candidate[] = [];
  const failed: RejectedInput[] = [];
  const folders: { absolutePath: string; input: string }[] = [];
  for (const input of inputs) {
    throwIfAborted(signal);
    const absolutePath = resolve(input);
    let info: Stats;
    try {
      info = await stat(absolutePath);
    } catch (thrown) {
      const missing = (thrown as NodeJS.ErrnoException).code === "ENOENT";
      failed.push({
        path: input,
        error: missing
          ? ingestError("not_found", "No such file or folder.")
          : ingestError("unreadable", `Cannot read: ${errorMessage(thrown)}`),
      });
      continue;
    }
    if (info.isDirectory()) folders.push({ absolutePath, input });
    else if (info.isFile()) explicit.push({ path: input, absolutePath, explicit: true });
    else failed.push({ path: input, error: ingestError("not_a_supported_file", "Not a regular file or folder.") });
  }
  if (failed.length > 0) yield { documents: [], rejected: failed };
  for (const folder of folders) {
    for await (const chunk of walkFolders(folder.absolutePath, folder.input, seen, signal)) {
      let first = true;
      for await (const found of documentsOf(chunk.files, inferMetadata, signal)) {
        yield first ? { documents: found.documents, rejected: [...chunk.rejected, ...found.rejected] } : found;
        first = false;
      }
    }
  }
  const named: Candidate[] = [];
  for (const candidate of explicit) if (await seen.firstTime(candidate.absolutePath)) named.push(candidate);
  if (named.length > 0) yield* documentsOf(named, inferMetadata, signal);
}

/**
 * Documents per chunk within one folder: a caller can start on the first documents of a folder of
 * thousands of scans while the rest are still being hashed (hashing is most of discovery's time).
 * The first chunk is small so that the first document starts at once; then they double to the most.
 */
const FIRST_CHUNK_DOCUMENTS = 4;
const MOST_CHUNK_DOCUMENTS = 32;

/** A document-to-be: a PDF or TIFF file, a loose image, or a page series, before its files are hashed. */
type Unit = { readonly primary: AcceptedFile; readonly files: readonly AcceptedFile[]; readonly series: boolean };

/**
 * Candidates (one folder's files, or the files named on the command line) → documents, yielded in
 * path order a few dozen at a time. Files are classified and grouped by name first, then hashed
 * one chunk at a time. There is always a first chunk; it carries the classification's rejects.
 */
async function* documentsOf(
  files: readonly Candidate[],
  inferMetadata: (path: string) => PathMetadata,
  signal: AbortSignal | undefined,
): AsyncGenerator<Discovery> {
  const rejected: RejectedInput[] = [];
  const candidates = [...files].sort((a, b) => comparePaths(a.path, b.path));
  const accepted: AcceptedFile[] = [];
  const classified = await mapLimit(candidates, HASH_CONCURRENCY, async (candidate) => {
    throwIfAborted(signal);
    return classify(candidate);
  });
  for (const outcome of classified) {
    if (outcome === null) continue;
    if ("error" in outcome) rejected.push(outcome);
    else accepted.push(outcome);
  }
  const units: Unit[] = accepted
    .filter((file) => file.type === "pdf" || file.type === "tiff")
    .map((file) => ({ primary: file, files: [file], series: false }));
  const looseImages = accepted.filter((file) => file.type === "png" || file.type === "jpeg" || file.type === "webp");
  for (const group of groupPageSeries(looseImages)) {
    if (group.kind === "single") units.push({ primary: group.file, files: [group.file], series: false });
    else units.push({ primary: group.pages[0] as AcceptedFile, files: group.pages, series: true });
  }
  units.sort((a, b) => comparePaths(a.primary.path, b.primary.path));
  rejected.sort((a, b) => comparePaths(a.path, b.path));
  let start = 0;
  let size = FIRST_CHUNK_DOCUMENTS;
  do {
    const chunk = await hashedDocuments(units.slice(start, start + size), inferMetadata, signal);
    yield start === 0 ? { documents: chunk.documents, rejected: [...rejected, ...chunk.rejected] } : chunk;
    start += size;
    size = Math.min(MOST_CHUNK_DOCUMENTS, size * 2);
  } while (start < units.length);
}

/** Hashes the units' files; a file that cannot be read is rejected, and a series is regrouped without it. */
async function hashedDocuments(
  units: readonly Unit[],
  inferMetadata: (path: string) => PathMetadata,
  signal: AbortSignal | undefined,
): Promise<{ documents: DiscoveredDocument[]; rejected: RejectedInput[] }> {
  const rejected: RejectedInput[] = [];
  const hashes = new Map<AcceptedFile, string>();
  await mapLimit(
    units.flatMap((unit) => unit.files),
    HASH_CONCURRENCY,
    async (file) => {
      throwIfAborted(signal);
      try {
        hashes.set(file, await sha256File(fsPath(file.absolutePath), signal));
      } catch (thrown) {
        throwIfAborted(signal);
        rejected.push({ path: file.path, error: ingestError("unreadable", `Cannot read the file: ${errorMessage(thrown)}`) });
      }
    },
  );
  const sourceOf = (file: AcceptedFile): SourceFile => ({
    path: file.path,
    sha256: hashes.get(file) as string,
    bytes: file.bytes,
  });
  const single = (file: AcceptedFile, container: DiscoveredDocument["container"]): DiscoveredDocument => {
    const source = sourceOf(file);
    return { id: source.sha256, container, sources: [source], primaryPath: file.path, pathMetadata: inferMetadata(file.absolutePath) };
  };
  const documents: DiscoveredDocument[] = [];
  for (const unit of units) {
    const readable = unit.files.filter((file) => hashes.has(file));
    if (!unit.series) {
      if (readable.length === 1) documents.push(single(unit.primary, containerOf(unit.primary.type)));
      continue;
    }
    // As before hashing existed per chunk: the series is formed from its readable pages only.
    for (const group of groupPageSeries(readable)) {
      if (group.kind === "single") {
        documents.push(single(group.file, "image"));
        continue;
      }
      const sources = group.pages.map(sourceOf);
      const first = group.pages[0] as AcceptedFile;
      documents.push({
        id: seriesId(sources.map((s) => s.sha256)),
        container: "image-series",
        sources,
        primaryPath: first.path,
        pathMetadata: inferMetadata(first.absolutePath),
      });
    }
  }
  documents.sort((a, b) => comparePaths(a.primaryPath, b.primaryPath));
  rejected.sort((a, b) => comparePaths(a.path, b.path));
  return { documents, rejected };
}
