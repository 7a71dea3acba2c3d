import { randomBytes } from "node:crypto";
import type { BatchEvent } from "../batch/events.js";
import { err, ok, type Result } from "../basics/result.js";
import type { RunSettings, WebBackend } from "./ports.js";
import { RunState, type RunView } from "./run-state.js";
import type { SseHub } from "./sse-hub.js";
import { errorMessage } from "../basics/error-message.js";

const PROGRESS_INTERVAL_MS = 250;

/**
 * Owns the one run the server does at a time: starts the engine, keeps its state for late
 * joiners and fans its events out to every page over SSE (progress events coalesced).
 */
export class RunManager {
  #state: RunState | null = null;
  #controller: AbortController | null = null;
  #running: Promise<void> | null = null;
  #pendingProgress: BatchEvent | null = null;
  #progressTimer: NodeJS.Timeout | null = null;
  #lastProgressAt = 0;

  constructor(
    private readonly backend: WebBackend,
    private readonly hub: SseHub,
    private readonly onRunFinished: () => void,
    /** Server paths become paths inside the uploads folder before they reach a page. */
    private readonly displayPath: (path: string) => string = (path) => path,
  ) {}

  view(): RunView | null {
    return this.#state?.view() ?? null;
  }

  isActive(): boolean {
    return this.#running !== null;
  }

  start(batch: string, inputDir: string, settings: RunSettings): Result<RunView, string> {
    if (this.#running !== null) return err("a run is already in progress; cancel it first");
    const state = new RunState(randomBytes(6).toString("hex"), batch, settings, new Date().toISOString());
    const controller = new AbortController();
    this.#state = state;
    this.#controller = controller;
    this.hub.broadcast("run", state.view());
    const onEvent = (event: BatchEvent) => this.#onEvent(state, withDisplayPaths(event, this.displayPath));
    this.#running = this.backend
      .runBatch(inputDir, settings, controller.signal, onEvent)
      .then(
        (outcome) => state.finish(outcome.end, outcome.message, new Date().toISOString()),
        (error: unknown) => state.finish("fatal", errorMessage(error), new Date().toISOString()),
      )
      .finally(() => {
        this.#flushProgress();
        this.#running = null;
        this.#controller = null;
        this.onRunFinished();
        this.hub.broadcast("run", state.view());
      });
    return ok(state.view());
  }

  cancel(): Result<RunView, string> {
    if (this.#state === null || this.#controller === null) return err("no run is in progress");
    this.#state.markCancelling();
    this.#controller.abort(new Error("cancelled from the web page"));
    const view = this.#state.view();
    this.hub.broadcast("run", view);
    return ok(view);
  }

  /** Waits for the current run to end (tests, shutdown). */
  async settled(): Promise<void> {
    await this.#running;
  }

  async close(): Promise<void> {
    this.#controller?.abort(new Error("server shutting down"));
    await this.#running;
    if (this.#progressTimer !== null) clearTimeout(this.#progressTimer);
  }

  #onEvent(state: RunState, event: BatchEvent): void {
    state.apply(event);
    if (event.type === "progress") {
      this.#pendingProgress = event;
      const wait = this.#lastProgressAt + PROGRESS_INTERVAL_MS - Date.now();
      if (wait <= 0) this.#flushProgress();
      else this.#progressTimer ??= setTimeout(() => this.#flushProgress(), wait);
      return;
    }
    this.hub.broadcast("batch", event);
  }

  #flushProgress(): void {
    if (this.#progressTimer !== null) clearTimeout(this.#progressTimer);
    this.#progressTimer = null;
    if (this.#pendingProgress === null) return;
    this.hub.broadcast("batch", this.#pendingProgress);
    this.#pendingProgress = null;
    this.#lastProgressAt = Date.now();
  }
}

function withDisplayPaths(event: BatchEvent, display: (path: string) => string): BatchEvent {
  switch (event.type) {
    case "document_started":
    case "document_finished":
    case "document_failed":
      return { ...event, path: display(event.path) };
    case "duplicate_content":
      return { ...event, paths: event.paths.map(display) };
    default:
      return event;
  }
}
