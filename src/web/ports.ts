import type { BatchEventListener, RunEnd } from "../batch/events.js";
import type { FormResult, Status } from "../forms/form-result.js";
import type { StoredOverview } from "../aggregate/overview-areas.js";
import type { ResultPage, ResultQuery } from "../storage/result-index.js";
import type { Reference } from "../reference/reference.js";

/**
 * What the web server needs from the rest of the system. The real implementation
 * (engine-backend.ts) wraps the same engine, store, checks and reports the CLI uses;
 * API tests use a small in-memory one.
 */

/** Limits a user may set in the page; unset means "the engine's default for this provider". */
export interface RunLimits {
  readonly workers?: number;
  readonly rps?: number;
  readonly rpm?: number;
  readonly rpd?: number;
  readonly maxAttempts?: number;
  readonly timeoutMs?: number;
  readonly maxRequests?: number;
  readonly maxCostUsd?: number;
}

export interface RunSettings {
  readonly provider: string;
  readonly model: string;
  readonly limits: RunLimits;
  /** The offline reader as a witness beside a remote model (default true, like the CLI). */
  readonly witness?: boolean;
  /** Verify single-witness forms on the checks (assurance "checks"); default false. */
  readonly acceptSingleWitness?: boolean;
}

/** Shown in the page. Never carries an API key: only whether one is configured. */
export interface PublicDefaults {
  readonly provider: string;
  readonly model: string;
  readonly baseUrl: string;
  readonly providers: readonly string[];
  readonly keyConfigured: boolean;
  readonly limits: RunLimits;
  /** The limits given to `serve`: a run started from the page may lower them, never raise them. */
  readonly ceilings?: RunLimits;
}

export interface RunOutcome {
  readonly end: RunEnd;
  readonly message: string;
}

export interface EditRequest {
  /** "totals.good", "votes.3" (row number) … */
  readonly field: string;
  readonly value: number | null;
  readonly by: string;
  readonly note?: string;
}

export interface ApprovalRequest {
  readonly by: string;
  /** Every value is as on the paper; the paper's own sums fail. Needs a note. */
  readonly asWritten?: boolean;
  readonly note?: string;
}

export interface EditEntry {
  readonly documentId: string;
  readonly field: string;
  readonly oldValue: number | string | null;
  readonly newValue: number | string | null;
  readonly by: string;
  readonly at: string;
  readonly note?: string;
}

export type EditOutcome =
  | { readonly kind: "ok"; readonly result: FormResult }
  | { readonly kind: "not_found" }
  | { readonly kind: "invalid"; readonly message: string; readonly messageTh?: string };

export interface ReportFile {
  readonly name: string;
  readonly path: string;
  readonly bytes: number;
}

/** The exports just written, and what was left out of them and why. */
export interface ReportSet {
  readonly files: readonly ReportFile[];
  /** Stored results that no longer validate: not in the exports, reported instead of dropped. */
  readonly invalid: readonly { readonly documentId: string; readonly error: string }[];
  readonly warnings: readonly string[];
}

export interface WebBackend {
  defaults(): PublicDefaults;
  /** Strings that must never leave the server (API keys); outgoing text is scrubbed of them. */
  secrets(): readonly string[];
  /** Runs the batch engine over one folder; resolves when the run ends. */
  runBatch(inputDir: string, settings: RunSettings, signal: AbortSignal, onEvent: BatchEventListener): Promise<RunOutcome>;
  /** The overview's parts from the store (Store.overviewAreas): only what changed is recomputed. */
  overviewAreas(): Promise<StoredOverview>;
  /** The results list and the review queue, filtered, sorted and paged in the store. */
  queryResults(query: ResultQuery): Promise<ResultPage>;
  countResults(): Promise<Record<Status, number>>;
  getResult(documentId: string): Promise<FormResult | null>;
  applyEdit(documentId: string, edit: EditRequest): Promise<EditOutcome>;
  /** Approves a form whose checks pass, or one whose paper does not add up "as written" with a note. */
  approve(documentId: string, approval: ApprovalRequest): Promise<EditOutcome>;
  listEdits(documentId: string): Promise<readonly EditEntry[]>;
  /** Regenerates every export from the store; returns the files written and what was left out. */
  writeReports(withConstituencyPdfs: boolean): Promise<ReportSet>;
  /** Official reference data for discrepancies and coverage, when the server has it. */
  reference?(): Reference | null;
  close(): Promise<void>;
}
