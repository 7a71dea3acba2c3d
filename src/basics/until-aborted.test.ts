import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { untilAborted } from "./until-aborted.js";

describe("untilAborted", () => {
  it("settles with the promise and lets go of the signal", async () => {
    const run = new AbortController();
    await expect(untilAborted(Promise.resolve(1), run.signal, () => 0)).resolves.toBe(1);
    await expect(untilAborted(Promise.reject(new Error("no")), run.signal, () => 0)).rejects.toThrow("no");
    expect(getEventListeners(run.signal, "abort")).toHaveLength(0);
  });

  it("ends a hung promise on abort with the fallback, or with what the fallback throws", async () => {
    const run = new AbortController();
    const hung = new Promise<number>(() => {});
    const value = untilAborted(hung, run.signal, () => 0);
    const thrown = untilAborted(hung, run.signal, () => {
      throw new Error("stopped");
    });
    run.abort();
    await expect(value).resolves.toBe(0);
    await expect(thrown).rejects.toThrow("stopped");
    await expect(untilAborted(hung, run.signal, () => 2)).resolves.toBe(2);
  });

  it("swallows the late rejection of a promise it left behind", async () => {
    const run = new AbortController();
    run.abort();
    let fail: (error: Error) => void = () => {};
    const late = new Promise<number>((_, reject) => {
      fail = reject;
    });
    await expect(untilAborted(late, run.signal, () => 0)).resolves.toBe(0);
    fail(new Error("late"));
    await new Promise((resolve) => setImmediate(resolve));
  });
});
