import type { FormResult } from "../forms/form-result.js";
import type { DiscoveredDocument } from "../ingest/types.js";
import type { DocumentRecord, Store } from "../storage/store.js";
import type { BatchEvent } from "./events.js";
import type { Discovery } from "./pipeline.js";
import { DiscoveryRecorder } from "./record-discovery.js";
import { RunTally } from "./run-tally.js";

export interface DiscoveryFeedOptions {
  readonly store: Store;
  readonly retryFailed: boolean;
  readonly startedAt: number;
  readonly emit: (event: BatchEvent) => void;
  readonly onResult?: (result: FormResult) => void;
}

/**
 * Discovery alongside the processing, for every run (local or coordinated): chunks (a folder, or a
 * few dozen of its documents) are recorded into the store as they come, their pending documents
 * join the queue, and the run's counting (`tally`) grows with them. Only ids stay in memory, plus
 * the rare document whose files are no longer where the store first saw them (a moved folder).
 *
 * The run's start event is sent once: when the run is about to process its first document
 * (`announce`), or when discovery ends, whichever comes first. Sent before discovery ended, it
 * carries the counts so far and `discovering`, and `discovery_finished` follows with the batch's own.
 */
export class DiscoveryFeed {
  readonly tally: RunTally;
  private readonly recorder: DiscoveryRecorder;
  private readonly ids: string[] = [];
  private readonly movedDocuments = new Map<string, DiscoveredDocument>();
  private closed = false;
  private failed: { readonly error: unknown } | null = null;
  private sent = false;
  private sentWhileDiscovering = false;

  constructor(private readonly options: DiscoveryFeedOptions) {
    this.recorder = new DiscoveryRecorder(options.store, options.retryFailed);
    this.tally = new RunTally(options.store, this.recorder, options.startedAt, options.emit, options.onResult);
    this.tally.setDiscovering(true);
  }

  /** Pending documents queued so far, in discovery order. */
  get length(): number {
    return this.ids.length;
  }

  /** Discovery has ended (finished, failed or cancelled): the queue will not grow. */
  get complete(): boolean {
    return this.closed;
  }

  get announced(): boolean {
    return this.sent;
  }

  /** Discovery failed outright (not one file, and not by the run's cancel): the run must stop. */
  get failure(): { readonly error: unknown } | null {
    return this.failed;
  }

  /** Inputs that never became a document, so far. */
  get rejected(): number {
    return this.recorder.rejected;
  }

  /** Documents whose content was seen under more than one path (known once discovery finished). */
  get duplicates(): number {
    return this.recorder.duplicates;
  }

  at(index: number): string | undefined {
    return this.ids[index];
  }

  /** This run's copy of a document whose files moved since the store recorded them. */
  moved(id: string): DiscoveredDocument | undefined {
    return this.movedDocuments.get(id);
  }

  /**
   * Records every chunk, waking `onChunk` after each and when discovery ends; the queue is closed
   * either way. Never rejects: a discovery that fails outright is kept in `failure` (one stopped by
   * `signal` is not a failure).
   */
  async record(chunks: AsyncIterable<Discovery>, onChunk: () => void, signal: AbortSignal): Promise<void> {
    const { store } = this.options;
    try {
      for await (const chunk of chunks) {
        for (let i = 0; i < chunk.rejected.length; i++) this.tally.discovered("failed");
        for (const doc of this.recorder.add(chunk)) {
          const record = store.getDocument(doc.id);
          if (!record) continue;
          if (record.status !== "pending") this.tally.discovered(record.status);
          else this.queue(doc.id, sameFiles(record, doc) ? null : doc);
        }
        onChunk();
      }
    } catch (error) {
      if (!signal.aborted) this.failed = { error };
      return;
    } finally {
      this.closed = true;
      onChunk();
    }
    const members = this.recorder.finish(this.options.emit);
    this.tally.setDiscovering(false);
    if (!this.sent) this.announce();
    else if (this.sentWhileDiscovering)
      this.options.emit({ type: "discovery_finished", ...this.counts(), rejected: members.rejected, duplicates: members.duplicates });
  }

  /** Sends the run's start event, once. */
  announce(): void {
    if (this.sent) return;
    this.sent = true;
    this.sentWhileDiscovering = !this.closed;
    this.options.emit({
      type: "run_started",
      at: new Date(this.options.startedAt).toISOString(),
      ...this.counts(),
      ...(this.sentWhileDiscovering ? { discovering: true as const } : {}),
    });
  }

  private queue(id: string, moved: DiscoveredDocument | null): void {
    this.ids.push(id);
    if (moved) this.movedDocuments.set(id, moved);
  }

  /** Every member discovery found is either queued or already finished (rejected inputs included). */
  private counts(): { total: number; alreadyDone: number; toProcess: number } {
    const total = this.tally.total;
    return { total, alreadyDone: total - this.ids.length, toProcess: this.ids.length };
  }
}

/** A whole discovery as one chunk (a pipeline that cannot discover folder by folder). */
export async function* asOneChunk(discovery: Promise<Discovery>): AsyncGenerator<Discovery> {
  yield await discovery;
}

function sameFiles(record: DocumentRecord, doc: DiscoveredDocument): boolean {
  return (
    record.primaryPath === doc.primaryPath &&
    record.container === doc.container &&
    record.sources.length === doc.sources.length &&
    record.sources.every((s, i) => s.path === doc.sources[i]?.path && s.sha256 === doc.sources[i]?.sha256)
  );
}
