import { realpath } from "node:fs/promises";
import path from "node:path";
import { err, ok, type Result } from "../basics/result.js";
import type { SourceFile } from "../forms/form-result.js";
import { EMPTY_PATH_METADATA } from "../forms/path-metadata.js";
import { containerOf, readHeader } from "../ingest/discover.js";
import { sniffFileType } from "../ingest/file-type.js";
import { createPreparePool, type PreparePool } from "../ingest/prepare-pool.js";
import { DEFAULT_PREPARE_OPTIONS } from "../ingest/prepare-options.js";
import type { DiscoveredDocument, PrepareOptions } from "../ingest/types.js";

/**
 * Page images for the document view come from the same preparation code as the batch, in a
 * worker thread: the same pixel and page-count guards, the embedded scan taken as it is, and a
 * render scaled to the long side (a PDF page with a huge MediaBox is rendered small, not at its
 * nominal size). Nothing here decodes or renders on the event loop.
 */
export const VIEW_OPTIONS: PrepareOptions = {
  ...DEFAULT_PREPARE_OPTIONS,
  maxLongSide: 1600,
  jpegQuality: 80,
  includeSignaturePages: true,
};
/** Prepared pages kept for later views (about 40 pages of a typical scan). */
const CACHE_BYTES = 24 * 1024 * 1024;
const RENDER_TIMEOUT_MS = 60_000;

type Rendered = Result<readonly (Buffer | null)[], string>;

export class PageImages {
  /** Per document: every page, prepared once; concurrent views of one document share the work. */
  readonly #cache = new Map<string, { pages: Promise<Rendered>; bytes: number }>();
  #cachedBytes = 0;
  #pool: PreparePool | null = null;

  /** `options` lets another view (the cell crops) prepare pages larger, with the same guards. */
  constructor(
    private readonly root: string,
    private readonly options: PrepareOptions = VIEW_OPTIONS,
  ) {}

  /** Every page of a stored document, prepared (null for a page that is not rendered). */
  allPages(documentId: string, sources: readonly SourceFile[]): Promise<Rendered> {
    return this.#pages(documentId, sources);
  }

  /**
   * One page of a stored document. `page` is 1-based and must be one the document has
   * (`pageCount` from the stored result); sources are in page order.
   */
  async render(documentId: string, sources: readonly SourceFile[], pageCount: number, page: number): Promise<Result<Buffer, string>> {
    if (!Number.isInteger(page) || page < 1 || page > pageCount) return err("no such page");
    const pages = await this.#pages(documentId, sources);
    if (!pages.ok) return pages;
    const image = pages.value[page - 1];
    return image ? ok(image) : err("no such page");
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = null;
    await pool?.close();
  }

  #pages(documentId: string, sources: readonly SourceFile[]): Promise<Rendered> {
    const cached = this.#cache.get(documentId);
    if (cached !== undefined) {
      // Most recently used last.
      this.#cache.delete(documentId);
      this.#cache.set(documentId, cached);
      return cached.pages;
    }
    const entry = { pages: this.#prepare(sources), bytes: 0 };
    this.#cache.set(documentId, entry);
    void entry.pages.then((rendered) => {
      if (this.#cache.get(documentId) !== entry) return;
      if (!rendered.ok) {
        // Failures are not kept: the file may be fixed or the worker may have been restarted.
        this.#cache.delete(documentId);
        return;
      }
      entry.bytes = rendered.value.reduce((sum, page) => sum + (page?.length ?? 0), 0);
      this.#cachedBytes += entry.bytes;
      this.#evict();
    });
    return entry.pages;
  }

  #evict(): void {
    for (const [id, entry] of this.#cache) {
      if (this.#cachedBytes <= CACHE_BYTES || this.#cache.size <= 1) break;
      this.#cache.delete(id);
      this.#cachedBytes -= entry.bytes;
    }
  }

  async #prepare(sources: readonly SourceFile[]): Promise<Rendered> {
    const files: SourceFile[] = [];
    for (const source of sources) {
      const file = await this.#inside(source.path);
      if (!file.ok) return file;
      files.push({ ...source, path: file.value });
    }
    const [first] = files;
    if (first === undefined) return err("the document has no source files");
    const container = files.length > 1 ? "image-series" : await containerOfFile(first.path);
    if (container === null) return err("could not render this page");
    const doc: DiscoveredDocument = {
      id: first.sha256,
      container,
      sources: files,
      primaryPath: first.path,
      pathMetadata: EMPTY_PATH_METADATA,
    };
    this.#pool ??= createPreparePool({ threads: 1 });
    const prepared = await this.#pool.prepare(doc, this.options, AbortSignal.timeout(RENDER_TIMEOUT_MS)).catch(() => null);
    if (prepared === null) return err("rendering this page took too long");
    if (!prepared.ok) return err(`could not render this page: ${prepared.error.message}`);
    return ok(prepared.value.map((page) => page.jpeg));
  }

  async #inside(file: string): Promise<Result<string, string>> {
    const root = await realpath(this.root).catch(() => path.resolve(this.root));
    const real = await realpath(path.resolve(this.root, file)).catch(() => null);
    if (real === null) return err("source file not found");
    if (!real.startsWith(root + path.sep)) return err("source file is not an uploaded file");
    return ok(real);
  }
}

/** The container of one uploaded file, by its content (as discovery decides it). */
async function containerOfFile(file: string): Promise<DiscoveredDocument["container"] | null> {
  const header = await readHeader(file).catch(() => null);
  const type = header === null ? null : sniffFileType(header);
  return type === null ? null : containerOf(type);
}
