import { describe, expect, it } from "vitest";
import type { BatchEvent, ProgressSnapshot } from "../../batch/events.js";
import { createProgressRenderer, progressLine } from "./progress-renderer.js";

const SNAPSHOT: ProgressSnapshot = {
  total: 10,
  done: 5,
  verified: 4,
  needsReview: 0,
  failed: 1,
  inFlight: 2,
  requests: 7,
  retries: 2,
  rateLimitPauses: 1,
  costUsd: 0.0123,
  docsPerMinute: 30,
  etaMs: 10_000,
  elapsedMs: 10_000,
};

function capture(mode: "json" | "auto") {
  let text = "";
  const renderer = createProgressRenderer(mode, {
    write: (chunk) => {
      text += chunk;
    },
    isTTY: false,
    stream: process.stderr,
  });
  return { renderer, text: () => text };
}

describe("progress renderers", () => {
  it("--progress json writes one event per line", () => {
    const { renderer, text } = capture("json");
    const events: BatchEvent[] = [
      { type: "run_started", at: "2026-01-01T00:00:00.000Z", total: 10, alreadyDone: 0, toProcess: 10 },
      { type: "progress", ...SNAPSHOT },
    ];
    for (const event of events) renderer.onEvent(event);
    expect(
      text()
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line)),
    ).toEqual(events);
  });

  it("without a TTY, auto prints a few plain lines with pauses and the quota", () => {
    const { renderer, text } = capture("auto");
    renderer.onEvent({ type: "run_started", at: "x", total: 10, alreadyDone: 2, toProcess: 8 });
    renderer.onEvent({ type: "document_started", documentId: "a", path: "a.pdf" });
    renderer.onEvent({ type: "rate_limited", scope: "minute", pauseMs: 5000, until: "2026-01-01T00:00:05.000Z" });
    renderer.onEvent({ type: "quota_exhausted", resetAt: "2026-01-02T00:00:00.000Z" });
    renderer.onEvent({ type: "progress", ...SNAPSHOT });
    const lines = text().trim().split("\n");
    expect(lines[0]).toBe("10 documents: 2 already finished, 8 to process");
    expect(lines[1]).toMatch(/rate limited by the provider \(minute\)/);
    expect(lines[2]).toMatch(/resets at 2026-01-02T00:00:00.000Z/);
    expect(lines[3]).toBe(progressLine(SNAPSHOT));
    expect(lines).toHaveLength(4);
  });

  it("without a TTY, a run started while discovery goes on says so, shows its total as a lower bound, then the batch's counts", () => {
    const { renderer, text } = capture("auto");
    renderer.onEvent({ type: "run_started", at: "x", total: 4, alreadyDone: 0, toProcess: 4, discovering: true });
    renderer.onEvent({ type: "progress", ...SNAPSHOT, total: 12, done: 6, etaMs: null, discovering: true });
    renderer.onEvent({ type: "discovery_finished", total: 40, alreadyDone: 3, toProcess: 37, rejected: 1, duplicates: 0 });
    const lines = text().trim().split("\n");
    expect(lines[0]).toBe("started while discovery goes on: 4 documents so far, 0 already finished");
    expect(lines[1]).toMatch(/^6\/12\+ \(still discovering\) documents/);
    expect(lines[1]).not.toMatch(/ETA/);
    expect(lines[2]).toBe("discovery finished: 40 documents, 3 already finished, 37 to process");
  });
});
