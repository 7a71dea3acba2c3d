import { describe, expect, it } from "vitest";
import { FakeClock } from "../../support/fake-clock.js";
import type { RateLimitScope } from "../../../src/providers/provider.js";
import { FleetLimiter } from "../../../src/scale/fleet-limiter.js";
import type { FleetTokens } from "../../../src/scale/fleet-tokens.js";

function fakeTokens(answers: number[]) {
  const calls: boolean[] = [];
  const pauses: { ms: number; scope: RateLimitScope }[] = [];
  const tokens: FleetTokens = {
    take: async (chargeWindow) => {
      calls.push(chargeWindow);
      return answers.shift() ?? 0;
    },
    pause: async (ms, scope) => {
      pauses.push({ ms, scope });
    },
    quota: async () => {},
  };
  return { tokens, calls, pauses };
}

describe("FleetLimiter", () => {
  it("lets the job start's token pay for the first request, and charges every later one", async () => {
    const clock = new FakeClock(1_000);
    const { tokens, calls } = fakeTokens([]);
    const limiter = new FleetLimiter(tokens, clock, 2_000);
    const signal = new AbortController().signal;
    expect((await limiter.acquire(signal)).kind).toBe("granted");
    expect((await limiter.acquire(signal)).kind).toBe("granted");
    expect(calls).toEqual([false, true]);
    expect(limiter.granted).toBe(2);
  });

  it("charges the first request too when it comes late (slow preparation)", async () => {
    const clock = new FakeClock(5_000);
    const { tokens, calls } = fakeTokens([]);
    const limiter = new FleetLimiter(tokens, clock, 2_000);
    await limiter.acquire(new AbortController().signal);
    expect(calls).toEqual([true]);
  });

  it("reports the fleet's daily quota", async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
    const { tokens } = fakeTokens([-1]);
    const result = await new FleetLimiter(tokens, clock, 0).acquire(new AbortController().signal);
    expect(result).toEqual({ kind: "quota", resetAt: Date.UTC(2026, 0, 2), source: "client" });
  });

  it("pauses the fleet on a 429 and hands a job back when its first request was refused", async () => {
    const clock = new FakeClock(1_000);
    const { tokens, pauses } = fakeTokens([]);
    const limiter = new FleetLimiter(tokens, clock, 2_000);
    const signal = new AbortController().signal;
    await limiter.acquire(signal);
    limiter.pauseUntil(4_000, "minute");
    expect(pauses).toEqual([{ ms: 3_000, scope: "minute" }]);
    expect(limiter.requeueRequested).toBe(true);
    expect((await limiter.acquire(signal)).kind).toBe("aborted");
  });

  it("keeps a job that already has a paid answer and waits out the pause instead", async () => {
    const clock = new FakeClock(1_000);
    const { tokens } = fakeTokens([]);
    const limiter = new FleetLimiter(tokens, clock, 2_000);
    const signal = new AbortController().signal;
    await limiter.acquire(signal);
    await limiter.acquire(signal);
    limiter.pauseUntil(4_000, "request");
    expect(limiter.requeueRequested).toBe(false);
  });

  it("answers quota after a day-scope 429 until the reset", async () => {
    const clock = new FakeClock(1_000);
    const { tokens } = fakeTokens([]);
    const limiter = new FleetLimiter(tokens, clock, 2_000);
    limiter.pauseUntil(90_000, "day");
    expect(await limiter.acquire(new AbortController().signal)).toEqual({ kind: "quota", resetAt: 90_000, source: "provider" });
  });
});
