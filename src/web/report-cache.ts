import type { ReportSet, WebBackend } from "./ports.js";

/**
 * Exports are regenerated from the store only when something changed since the last write.
 * Per-constituency PDFs are built only on request and stay listed until the next change.
 */
export class ReportCache {
  #stale = true;
  #full = false;
  #set: ReportSet = { files: [], invalid: [], warnings: [] };
  #writing: Promise<ReportSet> | null = null;

  constructor(private readonly backend: WebBackend) {}

  markStale(): void {
    this.#stale = true;
  }

  async current(withConstituencyPdfs = false): Promise<ReportSet> {
    while (this.#writing !== null) await this.#writing.catch(() => undefined);
    const upToDate = !this.#stale && (this.#full || !withConstituencyPdfs);
    if (upToDate) return this.#set;
    this.#stale = false;
    this.#writing = this.backend
      .writeReports(withConstituencyPdfs)
      .then((set) => {
        this.#set = set;
        this.#full = withConstituencyPdfs;
        return set;
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
