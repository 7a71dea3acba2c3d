import type { ReportFile, WebBackend } from "./ports.js";

/**
 * Exports are regenerated from the store only when something changed since the last write.
 * Per-constituency PDFs are built only on request and stay listed until the next change.
 */
export class ReportCache {
  #stale = true;
  #full = false;
  #files: readonly ReportFile[] = [];
  #writing: Promise<readonly ReportFile[]> | null = null;

  constructor(private readonly backend: WebBackend) {}

  markStale(): void {
    this.#stale = true;
  }

  async current(withConstituencyPdfs = false): Promise<readonly ReportFile[]> {
    while (this.#writing !== null) await this.#writing.catch(() => undefined);
    const upToDate = !this.#stale && (this.#full || !withConstituencyPdfs);
    if (upToDate) return this.#files;
    this.#stale = false;
    this.#writing = this.backend
      .writeReports(withConstituencyPdfs)
      .then((files) => {
        this.#files = files;
        this.#full = withConstituencyPdfs;
        return files;
      })
      .catch((error: unknown) => {
        this.#stale = true;
        throw error;
      })
      .finally(() => {
        this.#writing = null;
      });
    return this.#writing;
  }
}
