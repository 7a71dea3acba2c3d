import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planLimiter, worstCaseInWindow } from "./limiter-plan.js";

describe("planLimiter", () => {
  it("returns null without per-second or per-minute limits", () => {
    expect(planLimiter({ rps: null, rpm: null, rpd: 50 }, 250)).toBeNull();
  });

  it("plans OpenRouter's free tier (20 rpm) close to the limit", () => {
    const plan = planLimiter({ rps: null, rpm: 20, rpd: 50 }, 250);
    expect(plan).not.toBeNull();
    expect(worstCaseInWindow(plan!, 60_250)).toBeLessThanOrEqual(20);
    expect(plan!.sustainedRps * 60).toBeGreaterThan(18.5);
  });

  it("never allows more than the limit in any sliding window, jitter included", () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 2, max: 5_000 }), { nil: null }),
        fc.option(fc.integer({ min: 2, max: 100_000 }), { nil: null }),
        fc.integer({ min: 0, max: 1_000 }),
        (rps, rpm, jitter) => {
          const plan = planLimiter({ rps, rpm, rpd: null }, jitter);
          if (rps === null && rpm === null) return plan === null;
          if (!plan) return false;
          const okSecond = rps === null || worstCaseInWindow(plan, 1_000 + jitter) <= rps;
          const okMinute = rpm === null || worstCaseInWindow(plan, 60_000 + jitter) <= rpm;
          return okSecond && okMinute && plan.max >= 1 && plan.duration >= 1;
        },
      ),
    );
  });

  it("keeps most of a high limit", () => {
    const plan = planLimiter({ rps: 1_000, rpm: null, rpd: null }, 250);
    expect(plan!.sustainedRps).toBeGreaterThan(700);
    expect(worstCaseInWindow(plan!, 1_250)).toBeLessThanOrEqual(1_000);
  });
});
