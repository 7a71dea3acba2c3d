import type { ExtractionOutcome, ExtractionRequest } from "../providers/provider.js";
import type { VerdictOptions } from "../verify/verdict.js";
import type { WitnessesByCell } from "../forms/evidence.js";
import type { FormResult } from "../forms/form-result.js";
import type { DiscoveredDocument, PreparedPage } from "../ingest/types.js";

/**
 * The final outcome of one request after the gate's retries. The gate may say how many provider
 * calls it took (retries included); extraction records it in provenance.attempts.
 */
export type GatedOutcome<T> = ExtractionOutcome<T> & { readonly attempts?: number };

/**
 * How extraction reaches a provider: through the batch engine's gate, which applies the shared
 * rate limiter, timeouts, retries with backoff, budgets and attempt recording. Extraction code
 * never calls a provider directly, so the engine is the one place that retries.
 *
 * The gate returns the final outcome for this request after its retries:
 * ok, fatal, invalid_output (after the last attempt), transient (attempts used up),
 * or rate_limited with scope "day" (quota exhausted: the engine stops the run).
 */
export interface ProviderGate {
  call<T>(request: ExtractionRequest<T>, signal: AbortSignal): Promise<GatedOutcome<T>>;
}

/** "document": one request per document with all its count pages; "page": one request per count page. */
export type RequestMode = "document" | "page";

export interface ExtractOptions {
  readonly requestMode: RequestMode;
  /** Re-ask once, focused on the suspect cells, when hard checks fail. */
  readonly reask: boolean;
  /** A second configured model for the re-ask (independent reads); default: the same model. */
  readonly reaskModel?: string | undefined;
  /** For provenance. */
  readonly providerName: string;
  readonly model: string;
  /** Output token cap per request; default: the provider's. */
  readonly maxOutputTokens?: number | undefined;
  /** Readers besides the first model (the offline reader, a second model, crop re-reads), in order. */
  readonly witnesses?: readonly WitnessSource[] | undefined;
  /** The verdict rule's options (--accept-single-witness). */
  readonly verdict?: VerdictOptions | undefined;
  /** Clock for provenance timestamps (tests). */
  readonly now?: (() => Date) | undefined;
}

export const DEFAULT_REQUEST_MODE: RequestMode = "document";

/**
 * Witnesses besides the first model: the offline reader, a second model, crop re-reads. Each
 * is a source in a list that extraction runs for every document; a source never sees the first
 * model's answer unless it runs after the verdict (`review`), and then only to choose which
 * cells to look at.
 */
export interface WitnessContext {
  readonly doc: DiscoveredDocument;
  /** Every prepared page of the document (count pages carry a JPEG). */
  readonly pages: readonly PreparedPage[];
  /** The first model's gate (crop re-asks use it); another model brings its own. */
  readonly gate: ProviderGate;
  readonly signal: AbortSignal;
  /** Counts a request made through `gate` in the document's provenance. */
  count(outcome: GatedOutcome<unknown>): void;
}

export interface WitnessReport {
  readonly cells: WitnessesByCell;
  /** CPU spent reading, ms (the offline reader), for provenance and the cost tables. */
  readonly cpuMs?: number;
  /** Pages read. */
  readonly pagesRead?: number;
  /** Short notes for the reasons when the source could not read (e.g. a page without a layout). */
  readonly notes?: readonly string[];
}

export interface WitnessSource {
  readonly name: string;
  /**
   * When the first reader of a document is this source's own reader (the offline reader in a
   * local or cascade run), its witnesses replace that reading's model witness instead of
   * standing beside it: one reader is one witness.
   */
  readonly readerModel?: string;
  /** Starts with the document, in parallel with the first read. Null: nothing to report. */
  read?(context: WitnessContext): Promise<WitnessReport | null>;
  /** After the verdict on what is known so far: may pick the cells to look at from `decided`. */
  review?(context: WitnessContext, decided: FormResult): Promise<WitnessReport | null>;
  /** Stops what the source holds (worker threads) at the end of a run. */
  close?(): Promise<void>;
}
