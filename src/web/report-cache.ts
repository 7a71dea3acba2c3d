import type { Overview } from "./overview.js";
import type { ReportSet, WebBackend } from "./ports.js";

/** While a run adds results, the overview is rebuilt at most this often. */
const LIVE_OVERVIEW_MS = 5_000;

/**
 * The answer when the overview is not ready within the wait (every constituency's part to
 * recompute, as a writer killed before it closed the store leaves them): no figure at all, so
 * no partial sum is ever shown as a total. The build goes on; asked again, the server waits for
 * it as long again, so the page can ask at once.
 */
export interface OverviewCounting {
  readonly counting: true;
}

/**
 * What is derived from the stored results, rebuilt only when something changed: the exports
 * (per-constituency PDFs only on request, listed until the next change) and the overview.
 * Requests during a rebuild share it.
 */
export class ReportCache {
  #stale = true;
  #full = false;
  #set: ReportSet = { files: [], invalid: [], warnings: [] };
  #writing: Promise<ReportSet> | null = null;
  #overview: { readonly value: Overview; readonly builtAt: number } | null = null;
  #overviewStale = true;
  #building: Promise<Overview> | null = null;
  #live: () => boolean = () => false;

  constructor(private readonly backend: WebBackend) {}

  markStale(): void {
    this.#stale = true;
    this.#overviewStale = true;
  }

  /** Results change without markStale while a run is going: the overview then ages out instead. */
  followRuns(live: () => boolean): void {
    this.#live = live;
  }

  /**
   * The overview: the cached one while it is current, else a new one (the store recomputes only
   * the constituencies that changed, so after an edit this is milliseconds, not a re-read of the
   * batch). Requests at the same time share one build.
   */
  overview(build: () => Promise<Overview>): Promise<Overview> {
    if (this.#building !== null) return this.#building;
    const cached = this.#overview;
    if (cached !== null && !this.#overviewStale && !(this.#live() && Date.now() - cached.builtAt >= LIVE_OVERVIEW_MS)) {
      return Promise.resolve(cached.value);
    }
    this.#building = (async () => {
      this.#overviewStale = false;
      try {
        const value = await build();
        this.#overview = { value, builtAt: Date.now() };
        return value;
      } catch (error) {
        this.#overviewStale = true;
        throw error;
      } finally {
        this.#building = null;
      }
    })();
    return this.#building;
  }

  /**
   * The overview if it is ready within `waitMs`, else at once the answer that it is being
   * counted (the build it waited for goes on, and the next request gets it or waits for it).
   */
  async overviewWithin(build: () => Promise<Overview>, waitMs: number): Promise<Overview | OverviewCounting> {
    const building = this.overview(build);
    // A build that fails after the "counting" answer is retried by the next request (overview() marks it stale).
    building.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const counting = new Promise<OverviewCounting>((resolve) => {
      timer = setTimeout(() => resolve({ counting: true }), waitMs);
    });
    try {
      return await Promise.race([building, counting]);
    } finally {
      clearTimeout(timer);
    }
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
