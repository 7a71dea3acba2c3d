import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { linkedSignal } from "./linked-signal.js";

describe("linkedSignal", () => {
  it("aborts with the reason of whichever parent aborts first", () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkedSignal(a.signal, b.signal);
    expect(linked.signal.aborted).toBe(false);
    b.abort("stop");
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe("stop");
    expect(linkedSignal(b.signal).signal.aborted).toBe(true);
  });

  it("lets go of a long-lived parent once disposed: a run's signal does not collect one listener per request", () => {
    const run = new AbortController();
    for (let i = 0; i < 1_000; i++) linkedSignal(run.signal, new AbortController().signal).dispose();
    expect(getEventListeners(run.signal, "abort")).toHaveLength(0);
    const kept = linkedSignal(run.signal);
    expect(getEventListeners(run.signal, "abort")).toHaveLength(1);
    run.abort();
    expect(kept.signal.aborted).toBe(true);
    expect(getEventListeners(run.signal, "abort")).toHaveLength(0);
  });
});
