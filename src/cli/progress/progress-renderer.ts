import cliProgress from "cli-progress";
import type { BatchEvent, ProgressSnapshot } from "../../batch/events.js";
import { formatDuration } from "../../basics/format.js";
import { lineWriter } from "../terminal-text.js";

export const PROGRESS_MODES = ["auto", "bar", "json", "none"] as const;
export type ProgressMode = (typeof PROGRESS_MODES)[number];

/** Shows batch events to a person (bar or plain lines) or to a program (JSON lines). */
export interface ProgressRenderer {
  onEvent(event: BatchEvent): void;
  /** Prints a line without breaking the bar. */
  log(line: string): void;
  stop(): void;
}

export interface RenderTarget {
  write(text: string): void;
  readonly isTTY: boolean;
  /** The stream itself, for the bar library. */
  readonly stream: NodeJS.WritableStream;
}

export function createProgressRenderer(mode: ProgressMode, target: RenderTarget): ProgressRenderer {
  const resolved = mode === "auto" ? (target.isTTY ? "bar" : "plain") : mode;
  switch (resolved) {
    case "bar":
      return barRenderer(target);
    case "json":
      return jsonRenderer(target);
    case "plain":
      return plainRenderer(target);
    case "none":
      return { onEvent() {}, log: lineWriter((text) => target.write(text)), stop() {} };
  }
}

function payload(p: ProgressSnapshot) {
  return {
    rate: p.docsPerMinute.toFixed(1),
    eta_text: p.etaMs === null ? "–" : formatDuration(p.etaMs),
    retries: p.retries,
    pauses: p.rateLimitPauses,
    cost: p.costUsd.toFixed(4),
    inflight: p.inFlight,
    failed: p.failed,
  };
}

type BarPayload = ReturnType<typeof payload>;

const MIN_BAR = 10;
const MAX_BAR = 40;

/**
 * The bar line fitted to the terminal's width: the fields in their usual order, the least
 * important dropped first when they do not fit beside a bar of at least 10 characters, and the
 * bar given what is left. (cli-progress cuts a longer line at the width, losing the last fields.)
 */
export function fitBarLine(width: number, progress: number, value: number, total: number, p: BarPayload): string {
  const fields: { text: string; rank: number }[] = [
    { text: `${value}/${total} docs`, rank: 0 },
    { text: `${p.rate}/min`, rank: 2 },
    { text: `ETA ${p.eta_text}`, rank: 1 },
    { text: `in flight ${p.inflight}`, rank: 7 },
    { text: `retries ${p.retries}`, rank: 5 },
    { text: `429 pauses ${p.pauses}`, rank: 6 },
    { text: `failed ${p.failed}`, rank: 3 },
    { text: `USD ${p.cost}`, rank: 4 },
  ];
  // One column spare: writing into the last column makes some terminals wrap.
  const room = Math.max(MIN_BAR + 1, width - 1);
  let shown = fields;
  const text = () => shown.map((f) => f.text).join(" | ");
  while (shown.length > 1 && MIN_BAR + 1 + text().length > room) {
    const least = Math.max(...shown.map((f) => f.rank));
    shown = shown.filter((f) => f.rank !== least);
  }
  const size = Math.max(MIN_BAR, Math.min(MAX_BAR, room - 1 - text().length));
  const done = Math.round(Math.min(1, Math.max(0, progress)) * size);
  return `${"\u2588".repeat(done)}${"\u2591".repeat(size - done)} ${text()}`.slice(0, room);
}

/** A terminal bar from cli-progress: done/total, rate, ETA, in flight, retries, pauses, failed, cost. */
function barRenderer(target: RenderTarget): ProgressRenderer {
  const multi = new cliProgress.MultiBar(
    {
      stream: target.stream,
      format: (_options, params, data) => fitBarLine(params.maxWidth, params.progress, params.value, params.total, data as BarPayload),
      hideCursor: true,
      clearOnComplete: false,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | null = null;
  const line = lineWriter((text) => multi.log(text));
  return {
    onEvent(event) {
      switch (event.type) {
        case "run_started":
          bar = multi.create(event.total, event.alreadyDone, {
            rate: "0.0",
            eta_text: "–",
            retries: 0,
            pauses: 0,
            cost: "0.0000",
            inflight: 0,
            failed: 0,
          });
          if (event.alreadyDone > 0 && !event.discovering)
            line(`resuming: ${event.alreadyDone} of ${event.total} documents already finished`);
          break;
        case "discovery_finished":
          bar?.setTotal(event.total);
          if (event.alreadyDone > 0) line(`resuming: ${event.alreadyDone} of ${event.total} documents already finished`);
          break;
        case "progress":
          bar?.setTotal(event.total);
          bar?.update(event.done, payload(event));
          break;
        case "run_finished":
          bar?.update(event.progress.done, payload(event.progress));
          break;
        default: {
          const text = describeEvent(event);
          if (text) line(text);
        }
      }
    },
    log: line,
    stop() {
      multi.stop();
    },
  };
}

/** One JSON object per line: for programs watching the run. */
function jsonRenderer(target: RenderTarget): ProgressRenderer {
  return {
    onEvent: (event) => target.write(`${JSON.stringify(event)}\n`),
    log: (line) => target.write(`${JSON.stringify({ type: "message", text: line })}\n`),
    stop() {},
  };
}

/** No TTY: a few plain lines (start, pauses, quota, about every 10% or minute, the end). */
function plainRenderer(target: RenderTarget): ProgressRenderer {
  let lastShownAt = 0;
  let lastDone = -1;
  const line = lineWriter((text) => target.write(text));
  return {
    onEvent(event) {
      switch (event.type) {
        case "run_started":
          line(
            event.discovering
              ? `started while discovery goes on: ${event.total} documents so far, ${event.alreadyDone} already finished`
              : `${event.total} documents: ${event.alreadyDone} already finished, ${event.toProcess} to process`,
          );
          break;
        case "discovery_finished":
          line(`discovery finished: ${event.total} documents, ${event.alreadyDone} already finished, ${event.toProcess} to process`);
          break;
        case "progress": {
          const step = Math.max(1, Math.ceil(event.total / 10));
          const due = event.done !== lastDone && (event.done - lastDone >= step || event.elapsedMs - lastShownAt >= 60_000);
          if (due && event.done > 0) {
            lastDone = event.done;
            lastShownAt = event.elapsedMs;
            line(progressLine(event));
          }
          break;
        }
        case "run_finished":
          line(progressLine(event.progress));
          break;
        case "document_started":
        case "document_finished":
        case "retry_scheduled":
          break;
        default: {
          const text = describeEvent(event);
          if (text) line(text);
        }
      }
    },
    log: line,
    stop() {},
  };
}

export function progressLine(p: ProgressSnapshot): string {
  const eta = p.etaMs === null ? "" : `, ETA ${formatDuration(p.etaMs)}`;
  const total = p.discovering ? `${p.total}+ (still discovering)` : `${p.total}`;
  return `${p.done}/${total} documents (${p.verified} verified, ${p.needsReview} needs review, ${p.failed} failed), ${p.docsPerMinute.toFixed(1)}/min${eta}, ${p.requests} requests, ${p.retries} retries, ${p.rateLimitPauses} rate-limit pauses, $${p.costUsd.toFixed(4)}`;
}

function describeEvent(event: BatchEvent): string | null {
  switch (event.type) {
    case "document_failed":
      return `failed: ${event.path}: ${event.error.message}`;
    case "duplicate_content":
      return `same content under several paths (read once; possible duplicate submission): ${event.paths.join(", ")}`;
    case "rate_limited":
      return `rate limited by the provider (${event.scope}): pausing all requests until ${event.until}`;
    case "resumed":
      return "resumed after the rate-limit pause";
    case "quota_exhausted":
      return `daily quota used up; it resets at ${event.resetAt}`;
    default:
      return null;
  }
}
