import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProgressTracker } from "../../../src/batch/progress-tracker.js";

const LIVE = { inFlight: 0, requests: 0, retries: 0, rateLimitPauses: 0, costUsd: 0 };
const WINDOW_MS = 120_000;

describe("ProgressTracker", () => {
  it("counts the documents finished in the recent window as a plain filter over every finish time would", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 12_000 }),
        fc.integer({ min: 0, max: 200_000 }),
        (gaps, lookAhead) => {
          const tracker = new ProgressTracker(() => gaps.length, { verified: 0, needsReview: 0, failed: 0 }, 0);
          const times: number[] = [];
          let at = 0;
          for (const gap of gaps) {
            at += gap;
            times.push(at);
            tracker.finished("verified", at);
          }
          const now = at + lookAhead;
          const windowMs = Math.min(WINDOW_MS, Math.max(now, 1));
          const recent = times.filter((t) => t > now - windowMs).length;
          const snapshot = tracker.snapshot(now, LIVE);
          expect(snapshot.docsPerMinute).toBeCloseTo((recent / windowMs) * 60_000, 9);
          expect(snapshot.done).toBe(gaps.length);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("gives no ETA while discovery runs, and reads the total on each snapshot", () => {
    let total = 10;
    const tracker = new ProgressTracker(() => total, { verified: 2, needsReview: 0, failed: 0 }, 0);
    tracker.setDiscovering(true);
    for (let i = 1; i <= 4; i++) tracker.finished("verified", i * 1_000);
    expect(tracker.snapshot(5_000, LIVE)).toMatchObject({ total: 10, done: 6, etaMs: null, discovering: true });
    total = 40;
    tracker.setDiscovering(false);
    const after = tracker.snapshot(5_000, LIVE);
    expect(after.total).toBe(40);
    expect(after.discovering).toBeUndefined();
    expect(after.etaMs).toBeGreaterThan(0);
  });
});
