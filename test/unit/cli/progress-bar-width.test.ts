import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { ProgressSnapshot } from "../../../src/batch/events.js";
import { createProgressRenderer, fitBarLine } from "../../../src/cli/progress/progress-renderer.js";

const PAYLOAD = { rate: "123.4", eta_text: "1 h 20 min", retries: 12, pauses: 3, cost: "12.3456", inflight: 16, failed: 7 };

describe("the progress bar fits the terminal", () => {
  it.each([60, 80, 100, 120, 200])("at %i columns the line fits and keeps the most important fields", (width) => {
    const line = fitBarLine(width, 0.5, 50_000, 101_331, PAYLOAD);
    expect(line.length).toBeLessThan(width);
    expect(line).toContain("50000/101331 docs");
    expect(line).toContain("ETA 1 h 20 min");
    // Fields are dropped whole, never cut in the middle.
    expect(line).toMatch(/(docs|\/min|min|failed \d+|USD [\d.]+|retries \d+|pauses \d+|flight \d+)$/);
    if (width >= 100) expect(line).toContain("USD 12.3456");
    if (width >= 200) expect(line).toContain("in flight 16");
  });

  it("the bar's last line on an 80-column terminal ends with the cost, not cut off", () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    let written = "";
    stream.on("data", (chunk: Buffer) => {
      written += chunk.toString("utf8");
    });
    const renderer = createProgressRenderer("bar", { write: (text) => stream.write(text), isTTY: true, stream });
    const snapshot: ProgressSnapshot = {
      total: 2000,
      done: 2000,
      verified: 1990,
      needsReview: 3,
      failed: 7,
      inFlight: 0,
      requests: 2100,
      retries: 100,
      rateLimitPauses: 2,
      costUsd: 1.2345,
      docsPerMinute: 321.5,
      etaMs: 0,
      elapsedMs: 400_000,
    };
    renderer.onEvent({ type: "run_started", at: "2026-02-10T12:00:00Z", total: 2000, alreadyDone: 0, toProcess: 2000 });
    renderer.onEvent({ type: "run_finished", end: "completed", message: "done", progress: snapshot });
    renderer.stop();
    const lines = written
      .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "\n")
      .split(/[\r\n]+/)
      .filter((l) => l.includes("docs"));
    const last = lines.at(-1)!;
    expect(last.length).toBeLessThan(80);
    expect(last).toContain("2000/2000 docs");
    expect(last).toContain("USD 1.2345");
  });
});
