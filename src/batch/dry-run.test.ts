import { describe, expect, it } from "vitest";
import { formatDuration } from "../basics/format.js";
import { estimateDuration } from "./dry-run.js";

const NOW = Date.UTC(2026, 1, 8, 12, 0, 0);

describe("estimateDuration", () => {
  it("spreads requests over days under a daily cap (20 rpm, 50/day)", () => {
    const estimate = estimateDuration(120, { rps: null, rpm: 20, rpd: 50 }, 10, NOW);
    // 40 today, 50 tomorrow, 30 the day after: the last one at 00:00 + 30 × 3 s.
    expect(estimate.finishAt).toBe(Date.UTC(2026, 1, 10, 0, 1, 30));
    expect(estimate.text).toMatch(/^120 requests → 1\.5 days at 50\/day \(each day's 50 take 2\.5 min at 20 rpm\), 40 left today/);
  });

  it("fits within today when the cap allows", () => {
    const estimate = estimateDuration(30, { rps: null, rpm: 20, rpd: 50 }, 0, NOW);
    expect(estimate.ms).toBe(90_000);
    expect(estimate.days).toBe(0);
  });

  it("uses the tighter of rps and rpm, and says when nothing limits the rate", () => {
    expect(estimateDuration(600, { rps: 5, rpm: 300, rpd: null }, 0, NOW).text).toBe("600 requests → about 2.0 min at 5 rps");
    expect(estimateDuration(10, { rps: null, rpm: null, rpd: null }, 0, NOW).ms).toBeNull();
  });

  it("formats durations", () => {
    expect(formatDuration(45_000)).toBe("45 s");
    expect(formatDuration(3_600_000)).toBe("60.0 min");
    expect(formatDuration(3 * 86_400_000)).toBe("3.0 days");
  });
});
