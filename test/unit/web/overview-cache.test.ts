import { describe, expect, it } from "vitest";
import type { Overview } from "../../../src/web/overview.js";
import type { WebBackend } from "../../../src/web/ports.js";
import { ReportCache } from "../../../src/web/report-cache.js";

const overview = (documents: number) => ({ documents }) as unknown as Overview;

describe("the overview cache", () => {
  it("builds once for requests at the same time, again after a change (waiting for the new one), and ages out during a run", async () => {
    const cache = new ReportCache({} as WebBackend);
    let live = false;
    cache.followRuns(() => live);
    let builds = 0;
    const build = async () => {
      builds++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return overview(builds);
    };
    const [a, b] = await Promise.all([cache.overview(build), cache.overview(build)]);
    expect(builds).toBe(1);
    expect(a).toBe(b);
    expect((await cache.overview(build)).documents).toBe(1);
    cache.markStale();
    // After a change the next answer is the new overview (the store recomputes only what changed).
    const [c, d] = await Promise.all([cache.overview(build), cache.overview(build)]);
    expect(c).toEqual({ documents: 2 });
    expect(d).toBe(c);
    // During a run results arrive without markStale: a copy younger than a few seconds is served.
    live = true;
    expect((await cache.overview(build)).documents).toBe(2);
    expect(builds).toBe(2);
  });

  it("answers at once that the overview is being counted when it is not ready within the wait, and gives it when it is", async () => {
    const cache = new ReportCache({} as WebBackend);
    let finish: (value: Overview) => void = () => undefined;
    let builds = 0;
    const build = () => {
      builds++;
      return new Promise<Overview>((resolve) => {
        finish = resolve;
      });
    };
    const asked = Date.now();
    expect(await cache.overviewWithin(build, 30)).toEqual({ counting: true });
    expect(Date.now() - asked).toBeLessThan(1_000);
    // Asked again while still counting: the same build, not a second one, and no figure.
    expect(await cache.overviewWithin(build, 30)).toEqual({ counting: true });
    finish(overview(5));
    expect(await cache.overviewWithin(build, 30)).toEqual({ documents: 5 });
    expect(builds).toBe(1);
    // Ready within the wait (after an edit: one constituency to recompute): the overview itself.
    cache.markStale();
    expect(await cache.overviewWithin(async () => overview(6), 1_000)).toEqual({ documents: 6 });
  });

  it("reports a build that fails within the wait, and retries one that failed after the counting answer", async () => {
    const cache = new ReportCache({} as WebBackend);
    await expect(cache.overviewWithin(() => Promise.reject(new Error("store closed")), 1_000)).rejects.toThrow(/store closed/);
    let fail: (error: Error) => void = () => undefined;
    const failing = () =>
      new Promise<Overview>((_, reject) => {
        fail = reject;
      });
    expect(await cache.overviewWithin(failing, 10)).toEqual({ counting: true });
    fail(new Error("disk gone"));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await cache.overviewWithin(async () => overview(8), 1_000)).toEqual({ documents: 8 });
  });

  it("tries again after a build that failed", async () => {
    const cache = new ReportCache({} as WebBackend);
    await expect(cache.overview(() => Promise.reject(new Error("store closed")))).rejects.toThrow(/store closed/);
    expect((await cache.overview(async () => overview(7))).documents).toBe(7);
  });
});
