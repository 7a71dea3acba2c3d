import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { Slots } from "./slots.js";

describe("Slots", () => {
  it("grants in arrival order as slots are released", async () => {
    const slots = new Slots(1);
    const order: number[] = [];
    await slots.acquire();
    const second = slots.acquire().then(() => order.push(2));
    const third = slots.acquire().then(() => order.push(3));
    slots.release();
    await second;
    slots.release();
    await third;
    expect(order).toEqual([2, 3]);
  });

  it("a wait gives up on abort with the signal's reason, through one listener per signal", async () => {
    const slots = new Slots(1);
    await slots.acquire();
    const run = new AbortController();
    const waits = Array.from({ length: 20 }, () => slots.acquire(run.signal));
    expect(getEventListeners(run.signal, "abort")).toHaveLength(1);
    run.abort("stop");
    for (const wait of waits) await expect(wait).rejects.toBe("stop");
    await expect(slots.acquire(run.signal)).rejects.toBe("stop");
    slots.release();
    await slots.acquire();
  });

  it("refuses every waiting call when told to", async () => {
    const slots = new Slots(1);
    await slots.acquire();
    const waiting = slots.acquire();
    slots.refuseWaiting(new Error("closed"));
    await expect(waiting).rejects.toThrow("closed");
  });
});
