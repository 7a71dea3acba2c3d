import { describe, expect, it } from "vitest";
import { nextUtcMidnight } from "../../../src/batch/clock.js";
import { FakeClock } from "../../support/fake-clock.js";
import { maxInWindow } from "../../support/provider-limits.js";
import { type AcquireResult, RateLimiter, type RateLimits } from "../../../src/batch/rate-limiter.js";

const NONE: RateLimits = { rps: null, rpm: null, rpd: null };

function grantTimes(results: AcquireResult[], start: number): number[] {
  return results.map((r) => (r.kind === "granted" ? r.at - start : -1));
}

describe("RateLimiter", () => {
  it("paces requests evenly under a per-second limit", async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const limiter = new RateLimiter({ limits: { ...NONE, rps: 5 }, clock });
    const signal = new AbortController().signal;
    const pending = Array.from({ length: 12 }, () => limiter.acquire(signal));
    await clock.advance(5_000);
    const times = grantTimes(await Promise.all(pending), start);
    expect(times).toEqual([0, 200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800, 2000, 2200]);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(5);
  });

  it("applies the per-second and per-minute windows together", async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const limiter = new RateLimiter({ limits: { rps: 10, rpm: 3, rpd: null }, clock });
    const signal = new AbortController().signal;
    const pending = Array.from({ length: 4 }, () => limiter.acquire(signal));
    await clock.advance(120_000);
    const times = grantTimes(await Promise.all(pending), start);
    expect(times).toEqual([0, 20_000, 40_000, 60_000]);
    expect(maxInWindow(times, 60_000)).toBeLessThanOrEqual(3);
  });

  it("restores the minute window after a restart", async () => {
    const clock = new FakeClock();
    const now = clock.now();
    const limiter = new RateLimiter({
      limits: { rps: null, rpm: 2, rpd: null },
      clock,
      restored: { todayCount: 2, recentStarts: [now - 10_000, now - 5_000] },
    });
    const granted = limiter.acquire(new AbortController().signal);
    await clock.advance(49_000);
    expect(limiter.waiting).toBe(1);
    await clock.advance(2_000);
    const result = await granted;
    expect(result.kind === "granted" && result.at - now).toBe(50_000);
  });

  it("stops at the daily limit until UTC midnight, counting what was restored", async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({
      limits: { ...NONE, rpd: 3 },
      clock,
      restored: { todayCount: 2, recentStarts: [] },
    });
    const signal = new AbortController().signal;
    expect((await limiter.acquire(signal)).kind).toBe("granted");
    const refused = await limiter.acquire(signal);
    expect(refused).toEqual({ kind: "quota", resetAt: nextUtcMidnight(clock.now()), source: "client" });
    await clock.advance(nextUtcMidnight(clock.now()) - clock.now() + 1);
    expect(limiter.todayCount).toBe(0);
    expect((await limiter.acquire(signal)).kind).toBe("granted");
  });

  it("pauses every request on a 429, then cuts the rate once and creeps back up", async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const events: string[] = [];
    const limiter = new RateLimiter({
      limits: { ...NONE, rps: 10 },
      clock,
      listener: {
        paused: (until) => events.push(`paused:${until - start}`),
        resumed: () => events.push("resumed"),
      },
    });
    const signal = new AbortController().signal;
    const first = await limiter.acquire(signal);
    const grantedAt = first.kind === "granted" ? first.at : 0;
    limiter.pauseUntil(start + 3_000, "minute", grantedAt);
    expect(limiter.effectiveRps).toBeCloseTo(8.5);
    // A second 429 for a request sent before the cut does not cut again.
    limiter.pauseUntil(start + 3_000, "request", grantedAt - 1);
    expect(limiter.effectiveRps).toBeCloseTo(8.5);
    const waiting = Promise.all([limiter.acquire(signal), limiter.acquire(signal)]);
    await clock.advance(2_999);
    expect(limiter.waiting).toBe(2);
    await clock.advance(1_000);
    const times = grantTimes(await waiting, start);
    expect(times[0]).toBe(3_000);
    expect(times[1]).toBeGreaterThan(3_100);
    expect(events).toEqual(["paused:3000", "resumed"]);
    for (let i = 0; i < 2_000; i++) limiter.recordSuccess();
    expect(limiter.effectiveRps).toBe(10);
  });

  it("treats a day-scope 429 as the provider's quota until the reset", async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ limits: NONE, clock });
    const reset = clock.now() + 60_000;
    limiter.pauseUntil(reset, "day");
    expect(await limiter.acquire(new AbortController().signal)).toEqual({
      kind: "quota",
      resetAt: reset,
      source: "provider",
    });
    await clock.advance(60_000);
    expect((await limiter.acquire(new AbortController().signal)).kind).toBe("granted");
  });

  it("lets an aborted waiter go without blocking the others", async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ limits: { ...NONE, rps: 1 }, clock });
    await limiter.acquire(new AbortController().signal);
    const controller = new AbortController();
    const aborted = limiter.acquire(controller.signal);
    const next = limiter.acquire(new AbortController().signal);
    controller.abort();
    expect(await aborted).toEqual({ kind: "aborted" });
    await clock.advance(1_000);
    expect((await next).kind).toBe("granted");
  });
});

describe("RateLimiter finding the provider's rate", () => {
  it("cuts straight to the rate the provider accepted when far above it", async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ limits: { rps: 10, rpm: null, rpd: null }, clock });
    const signal = new AbortController().signal;
    // Ten seconds at 10 rps, of which the provider refused half.
    for (let i = 0; i < 100; i++) {
      const pending = limiter.acquire(signal);
      await clock.advance(100);
      await pending;
      if (i % 2 === 1 && i < 99) (limiter as unknown as { refused: { add(t: number): void } }).refused.add(clock.now());
    }
    limiter.pauseUntil(clock.now() + 1_000, "request");
    expect(limiter.effectiveRps).toBeLessThan(5);
    expect(limiter.effectiveRps).toBeGreaterThan(4);
  });
});

describe("RateLimiter on a busy machine", () => {
  it("makes up slots whose timers fire late, so the average rate holds", async () => {
    const clock = new FakeClock();
    const start = clock.now();
    // Every timer fires 100 ms late, like a starved event loop.
    const late = { now: () => clock.now(), setTimer: (ms: number, fn: () => void) => clock.setTimer(ms + 100, fn) };
    const limiter = new RateLimiter({ limits: { rps: 5, rpm: null, rpd: null }, clock: late });
    const signal = new AbortController().signal;
    const pending = Array.from({ length: 11 }, () => limiter.acquire(signal));
    await clock.advance(5_000);
    const times = grantTimes(await Promise.all(pending), start);
    // Without making up for late timers the ten gaps would take 10 × 300 ms = 3 s.
    expect(times.at(-1)).toBeLessThanOrEqual(2_300);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(5);
  });
});
