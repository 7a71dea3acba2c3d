import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RateLimits } from "../../src/batch/limiter.js";
import { limiterWindows, type ReserveAnswer, SharedLimiter, sharedLimiterKeys } from "../../src/scale/shared-limiter.js";
import { maxInWindow } from "../support/provider-limits.js";
import { startTestRedis, type TestRedis } from "./support/redis-server.js";

const HORIZON = 2_000;
const TTL = 600_000;

/**
 * The reference model of a reservation: the same rules as the Lua script, written plainly, fed with
 * the server time each answer reports. The script must give exactly the model's answers.
 */
class ReferenceLimiter {
  private readonly logs: { limit: number; span: number; times: number[] }[] = [];
  private readonly leases = new Map<string, number>();
  private nextSlot = 0;
  private sent = 0;
  private readonly gap: number;

  constructor(
    limits: RateLimits,
    guardMs: number,
    private readonly maxInFlight: number,
    private readonly maxRequests: number,
  ) {
    const w = limiterWindows(limits, guardMs);
    for (const window of [w.short, w.long]) if (window) this.logs.push({ limit: window.limit, span: window.spanMs, times: [] });
    this.gap = w.rate > 0 ? 1000 / w.rate : 0;
  }

  reserve(now: number, lease: string): ReserveAnswer["kind"] | number {
    for (const [id, expiry] of this.leases) if (expiry <= now) this.leases.delete(id);
    if (this.maxRequests > 0 && this.sent >= this.maxRequests) return "budget";
    if (this.maxInFlight > 0 && this.leases.size >= this.maxInFlight) return "wait";
    let at = Math.max(now, this.nextSlot);
    for (const log of this.logs) {
      log.times = log.times.filter((t) => t > now - log.span);
      const last = log.times.at(-1);
      if (last !== undefined) at = Math.max(at, last);
      const n = log.times.length;
      if (n >= log.limit) at = Math.max(at, (log.times[n - log.limit] ?? 0) + log.span);
    }
    if (at - now > HORIZON) return "wait";
    const slot = Math.ceil(at);
    for (const log of this.logs) log.times.push(slot);
    this.leases.set(lease, slot + TTL);
    this.nextSlot = at + this.gap;
    this.sent++;
    return slot;
  }

  settle(lease: string): void {
    this.leases.delete(lease);
  }
}

describe("the shared limiter's Lua script", () => {
  let redis: TestRedis;
  let client: Redis;
  let run = 0;
  const fresh = () =>
    new SharedLimiter(
      client,
      sharedLimiterKeys((type) => `test:lim:${process.pid}:${run}:${type}`),
    );
  /** Settings with only a per-second limit (no budgets, no guard). */
  const rpsOnly = (rps: number) => ({
    limits: { rps, rpm: null, rpd: null },
    maxInFlight: null,
    maxRequests: null,
    maxCostUsd: null,
    guardMs: 0,
  });
  const noHistory = { todayCount: 0, costBefore: 0, costedBefore: 0 };
  /** A limiter of this test's own, published with only a per-second limit. */
  const freshAtRps = async (rps: number) => {
    run++;
    const limiter = fresh();
    await limiter.publish(rpsOnly(rps), noHistory);
    return limiter;
  };

  beforeAll(async () => {
    redis = await startTestRedis();
    client = new Redis({ host: "127.0.0.1", port: redis.port, maxRetriesPerRequest: null });
  });

  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it("gives exactly the reference model's answers, and never more than the limit in any sliding window", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          rps: fc.integer({ min: 1, max: 40 }),
          rpm: fc.option(fc.integer({ min: 5, max: 200 }), { nil: null }),
          guardMs: fc.integer({ min: 0, max: 50 }),
          maxInFlight: fc.option(fc.integer({ min: 1, max: 8 }), { nil: null }),
          maxRequests: fc.option(fc.integer({ min: 1, max: 30 }), { nil: null }),
          // Bursts of concurrent calls (one connection: Redis runs them in order), with pauses between.
          steps: fc.array(
            fc.record({
              burst: fc.integer({ min: 1, max: 6 }),
              pauseMs: fc.integer({ min: 0, max: 120 }),
              settle: fc.integer({ min: 0, max: 3 }),
            }),
            {
              minLength: 3,
              maxLength: 10,
            },
          ),
        }),
        async ({ rps, rpm, guardMs, maxInFlight, maxRequests, steps }) => {
          run++;
          const limits: RateLimits = { rps, rpm, rpd: null };
          const limiter = fresh();
          await limiter.publish(
            { limits, maxInFlight, maxRequests, maxCostUsd: null, guardMs },
            { todayCount: 0, costBefore: 0, costedBefore: 0 },
          );
          const model = new ReferenceLimiter(limits, guardMs, maxInFlight ?? 0, maxRequests ?? 0);
          const granted: number[] = [];
          const open: string[] = [];
          let n = 0;
          for (const step of steps) {
            const leases = Array.from({ length: step.burst }, () => `l${n++}`);
            const answers = await Promise.all(leases.map((lease) => limiter.reserve(lease, TTL, HORIZON)));
            answers.forEach((answer, i) => {
              const lease = leases[i] ?? "";
              const expected = model.reserve(answer.serverNow, lease);
              if (answer.kind === "granted") {
                expect(expected).toBe(answer.at);
                granted.push(answer.at);
                open.push(lease);
              } else {
                expect(expected).toBe(answer.kind);
              }
            });
            for (const lease of open.splice(0, step.settle)) {
              await limiter.settle(lease, "ok", null);
              model.settle(lease);
            }
            await new Promise((resolve) => setTimeout(resolve, step.pauseMs));
          }
          const w = limiterWindows(limits, guardMs);
          if (w.short) expect(maxInWindow(granted, w.short.spanMs)).toBeLessThanOrEqual(w.short.limit);
          if (w.long) expect(maxInWindow(granted, w.long.spanMs)).toBeLessThanOrEqual(w.long.limit);
          if (maxRequests !== null) expect(granted.length).toBeLessThanOrEqual(maxRequests);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it("a 429 pauses every caller for the Retry-After, gives reserved slots back, and cuts the rate; successes raise it back, never above", async () => {
    const limiter = await freshAtRps(10);
    const first = await limiter.reserve("a", TTL, HORIZON);
    const second = await limiter.reserve("b", TTL, HORIZON);
    expect(first.kind).toBe("granted");
    expect(second.kind).toBe("granted");
    if (second.kind !== "granted") return;
    await limiter.penalize(1_500, "request", null);
    // "b" was reserved before the pause: it is given back, to be taken again after the pause.
    const check = await limiter.confirm("b", second.at, 1_000);
    expect(check.kind).toBe("again");
    const after = await limiter.reserve("c", TTL, HORIZON);
    expect(after.kind).toBe("granted");
    if (after.kind === "granted") expect(after.at).toBeGreaterThanOrEqual(second.serverNow + 1_400);
    const cut = await limiter.state();
    expect(cut.rate).toBeLessThan(10);
    expect(cut.rateLimited).toBe(1);
    expect(cut.sent).toBe(2);
    // Gradual recovery: many successes bring the rate back up to the configured one, not beyond.
    for (let i = 0; i < 400; i++) await limiter.settle(`s${i}`, "ok", null);
    const recovered = await limiter.state();
    expect(recovered.rate).toBeGreaterThan(cut.rate);
    expect(recovered.rate).toBeLessThanOrEqual(recovered.configuredRate);
  });

  it("a late confirmation sends only if its entry, moved to the confirmation's time, fits every window", async () => {
    const limiter = await freshAtRps(2);
    // Alone in its window, a slot confirmed 300 ms late still goes, logged at the confirmation.
    const a = await limiter.reserve("a", TTL, HORIZON);
    if (a.kind !== "granted") throw new Error(`expected a grant, got ${a.kind}`);
    await new Promise((resolve) => setTimeout(resolve, a.waitMs + 300));
    const late = await limiter.confirm("a", a.at, 20);
    expect(late.kind).toBe("send");
    if (late.kind !== "send") return;
    expect(late.loggedAt).toBe(late.serverNow);
    expect(late.loggedAt).toBeGreaterThan(a.at + 20);
    // The windows count it where it went: two more fit only a full second after it.
    const b = await limiter.reserve("b", TTL, HORIZON);
    const c = await limiter.reserve("c", TTL, HORIZON);
    const d = await limiter.reserve("d", TTL, HORIZON);
    if (b.kind !== "granted" || c.kind !== "granted" || d.kind !== "granted") throw new Error("expected grants");
    expect(c.at).toBeGreaterThanOrEqual(late.loggedAt + 1_000);
    // b confirmed between c's and d's slots: moved there, it would make three in one second with c
    // and d, so it is given back.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, c.at - d.serverNow) + 50));
    const crowded = await limiter.confirm("b", b.at, 20);
    expect(crowded.kind).toBe("again");
    expect((await limiter.state()).sent).toBe(3);
  });

  it("a slot given back unsent leaves the windows; the newest one also gives its gap back to the pacing", async () => {
    const limiter = await freshAtRps(2);
    const [a, b, c] = await Promise.all(["a", "b", "c"].map((lease) => limiter.reserve(lease, TTL, HORIZON)));
    if (a?.kind !== "granted" || b?.kind !== "granted" || c?.kind !== "granted") throw new Error("expected grants");
    expect(c.at - a.at).toBeGreaterThanOrEqual(1_000);
    // An older slot: its hole is not refilled, so no two requests share one gap (a 429 pause gives back many at once).
    await limiter.cancel("b", b.at);
    const d = await limiter.reserve("d", TTL, HORIZON);
    if (d.kind !== "granted") throw new Error(`expected a grant, got ${d.kind}`);
    expect(d.at).toBeGreaterThanOrEqual(c.at + 500);
    // The newest slot: the next reservation takes it.
    await limiter.cancel("d", d.at);
    const e = await limiter.reserve("e", TTL, HORIZON);
    if (e.kind !== "granted") throw new Error(`expected a grant, got ${e.kind}`);
    expect(e.at).toBe(d.at);
    expect(maxInWindow([a.at, c.at, e.at], 1_000)).toBeLessThanOrEqual(2);
    // Without its slot (not known), a cancel gives the budgets back but leaves the windows and pacing as they are.
    await limiter.cancel("e");
    const f = await limiter.reserve("f", TTL, HORIZON);
    if (f.kind !== "granted") throw new Error(`expected a grant, got ${f.kind}`);
    expect(f.at).toBeGreaterThanOrEqual(e.at + 500);
    expect((await limiter.state()).sent).toBe(3);
  });

  it("counts the run's request budget, the day's quota and the cost budget for every caller together", async () => {
    run++;
    const limiter = fresh();
    await limiter.publish(
      { limits: { rps: null, rpm: null, rpd: 5 }, maxInFlight: null, maxRequests: 3, maxCostUsd: null, guardMs: 0 },
      { todayCount: 1, costBefore: 0, costedBefore: 0 },
    );
    const kinds = [];
    for (let i = 0; i < 4; i++) kinds.push((await limiter.reserve(`r${i}`, TTL, HORIZON)).kind);
    expect(kinds).toEqual(["granted", "granted", "granted", "budget"]);
    expect((await limiter.state()).budgetHit).toBe("requests");
    for (let i = 0; i < 3; i++) await limiter.settle(`r${i}`, "ok", null);
    // A new run: the request budget restarts, the day's count (1 before + 3) carries on.
    await limiter.publish(
      { limits: { rps: null, rpm: null, rpd: 5 }, maxInFlight: null, maxRequests: null, maxCostUsd: 0.05, guardMs: 0 },
      { todayCount: 0, costBefore: 0.02, costedBefore: 1 },
    );
    const granted = await limiter.reserve("q0", TTL, HORIZON);
    expect(granted.kind).toBe("granted");
    expect((await limiter.reserve("q1", TTL, HORIZON)).kind).toBe("quota");
    // A cancelled reservation gives its request back to the day.
    await limiter.cancel("q0");
    expect((await limiter.reserve("q2", TTL, HORIZON)).kind).toBe("granted");
    await limiter.settle("q2", "ok", 0.02);
    await limiter.publish(
      { limits: { rps: null, rpm: null, rpd: null }, maxInFlight: null, maxRequests: null, maxCostUsd: 0.03, guardMs: 0 },
      { todayCount: 0, costBefore: 0.04, costedBefore: 2 },
    );
    // $0.02 a request on average: one fits under $0.03; a second, while the first is in flight, would not.
    expect((await limiter.reserve("c0", TTL, HORIZON)).kind).toBe("granted");
    expect((await limiter.reserve("c1", TTL, HORIZON)).kind).toBe("budget");
    expect((await limiter.state()).budgetHit).toBe("cost");
  });

  it("new limits published by a resumed coordinator reach a running caller at once", async () => {
    const limiter = await freshAtRps(2);
    const spacing = async (prefix: string) => {
      const answers = await Promise.all([0, 1, 2, 3].map((i) => limiter.reserve(`${prefix}${i}`, TTL, 10_000)));
      const at = answers.map((a) => (a.kind === "granted" ? a.at : Number.NaN));
      return ((at[3] ?? 0) - (at[0] ?? 0)) / 3;
    };
    expect(await spacing("slow")).toBeGreaterThanOrEqual(499);
    // The same caller (a worker that was not restarted), after the coordinator resumed with --rps 20.
    await limiter.publish(rpsOnly(20), noHistory);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const fast = await spacing("fast");
    expect(fast).toBeGreaterThanOrEqual(49);
    expect(fast).toBeLessThan(60);
  });

  it("holds requests in flight to --workers across callers; a lost caller's lease expires", async () => {
    run++;
    const limiter = fresh();
    await limiter.publish(
      { limits: { rps: null, rpm: null, rpd: null }, maxInFlight: 2, maxRequests: null, maxCostUsd: null, guardMs: 0 },
      { todayCount: 0, costBefore: 0, costedBefore: 0 },
    );
    expect((await limiter.reserve("a", TTL, HORIZON)).kind).toBe("granted");
    expect((await limiter.reserve("b", 300, HORIZON)).kind).toBe("granted");
    expect((await limiter.reserve("c", TTL, HORIZON)).kind).toBe("wait");
    await limiter.settle("a", "ok", null);
    expect((await limiter.reserve("d", TTL, HORIZON)).kind).toBe("granted");
    expect((await limiter.reserve("e", TTL, HORIZON)).kind).toBe("wait");
    await new Promise((resolve) => setTimeout(resolve, 400));
    // "b" was never settled (its worker died): after its lease it no longer counts.
    expect((await limiter.reserve("f", TTL, HORIZON)).kind).toBe("granted");
  });
});
