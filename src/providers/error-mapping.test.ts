import { describe, expect, it } from "vitest";
import { isDailyLimit, msUntilUtcMidnight, retryAfterFromHeaders } from "./error-mapping.js";

const NOW = Date.UTC(2026, 1, 8, 22, 0, 0);
const headers = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe("retryAfterFromHeaders", () => {
  it("reads retry-after-ms, retry-after seconds and HTTP dates", () => {
    expect(retryAfterFromHeaders(headers({ "retry-after-ms": "1500" }), NOW)).toBe(1500);
    expect(retryAfterFromHeaders(headers({ "retry-after": "2.5" }), NOW)).toBe(2500);
    expect(retryAfterFromHeaders(headers({ "retry-after": new Date(NOW + 60_000).toUTCString() }), NOW)).toBe(60_000);
  });

  it("detects whether x-ratelimit-reset is epoch ms, epoch seconds or a delay", () => {
    expect(retryAfterFromHeaders(headers({ "x-ratelimit-reset": String(NOW + 9000) }), NOW)).toBe(9000);
    expect(retryAfterFromHeaders(headers({ "x-ratelimit-reset": String(NOW / 1000 + 9) }), NOW)).toBe(9000);
    expect(retryAfterFromHeaders(headers({ "x-ratelimit-reset": "9" }), NOW)).toBe(9000);
    expect(retryAfterFromHeaders(headers({ "x-ratelimit-reset": String(NOW - 5000) }), NOW)).toBe(0);
  });

  it("reads OpenAI's duration form", () => {
    expect(retryAfterFromHeaders(headers({ "x-ratelimit-reset-requests": "6m0s" }), NOW)).toBe(360_000);
    expect(retryAfterFromHeaders(headers({ "x-ratelimit-reset-requests": "120ms" }), NOW)).toBe(120);
  });

  it("gives null without a usable hint", () => {
    expect(retryAfterFromHeaders(headers({}), NOW)).toBeNull();
    expect(retryAfterFromHeaders(headers({ "retry-after": "soon" }), NOW)).toBeNull();
  });
});

describe("daily limits", () => {
  it("recognises OpenRouter's and Gemini's daily caps but not per-minute ones", () => {
    expect(isDailyLimit("Rate limit exceeded: free-models-per-day. Add 10 credits")).toBe(true);
    expect(isDailyLimit('"quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"')).toBe(true);
    expect(isDailyLimit("You exceeded your daily quota")).toBe(true);
    expect(isDailyLimit("You exceeded your current quota, please check your plan and billing details")).toBe(false);
    expect(isDailyLimit("daily limit reached")).toBe(true);
    expect(isDailyLimit("Rate limit exceeded: free-models-per-min.")).toBe(false);
  });

  it("counts to the next UTC midnight", () => {
    expect(msUntilUtcMidnight(NOW)).toBe(2 * 3_600_000);
  });
});
