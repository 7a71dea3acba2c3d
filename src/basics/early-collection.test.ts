import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collectGarbageEarly, createEarlyCollector } from "./early-collection.js";

describe("createEarlyCollector", () => {
  it("collects only past the headroom above what the last collection left alive", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(100), { maxLength: 60 }), fc.nat(50), fc.integer({ min: 1, max: 40 }), (steps, live, headroom) => {
        // A model heap: buffers are allocated between ticks; a collection leaves `live` bytes.
        let bytes = live;
        let floor = 0;
        const collector = createEarlyCollector({
          gauges: [{ headroomBytes: headroom, bytes: () => bytes }],
          collect: () => {
            bytes = live;
          },
        });
        for (const allocated of steps) {
          bytes += allocated;
          const before = bytes;
          const collected = collector.tick();
          expect(collected).toBe(before > floor + headroom);
          if (collected) floor = live;
          // Never more than the headroom of garbage is left after a tick.
          expect(bytes).toBeLessThanOrEqual(Math.max(floor + headroom, live));
        }
      }),
    );
  });

  it("does not collect every tick when the live set is larger than the headroom", () => {
    let bytes = 0;
    let collections = 0;
    const collector = createEarlyCollector({
      gauges: [{ headroomBytes: 10, bytes: () => bytes }],
      collect: () => {
        collections++;
      },
    });
    bytes = 100; // all of it live: a collection frees nothing
    collector.tick();
    for (let i = 0; i < 20; i++) collector.tick();
    expect(collections).toBe(1);
  });

  it("collects when any gauge passes its headroom, and takes every gauge's floor afresh", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(30), fc.nat(30)), { maxLength: 60 }),
        fc.tuple(fc.nat(20), fc.nat(20)),
        fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 })),
        (steps, live, headroom) => {
          const bytes = [live[0], live[1]];
          const floor = [0, 0];
          const collector = createEarlyCollector({
            gauges: [0, 1].map((i) => ({ headroomBytes: headroom[i]!, bytes: () => bytes[i]! })),
            collect: () => {
              bytes[0] = live[0];
              bytes[1] = live[1];
            },
          });
          for (const [buffers, heap] of steps) {
            bytes[0]! += buffers;
            bytes[1]! += heap;
            const over = bytes[0]! > floor[0]! + headroom[0] || bytes[1]! > floor[1]! + headroom[1];
            expect(collector.tick()).toBe(over);
            if (over) {
              floor[0] = live[0];
              floor[1] = live[1];
            }
            expect(bytes[0]).toBeLessThanOrEqual(Math.max(floor[0]! + headroom[0], live[0]));
            expect(bytes[1]).toBeLessThanOrEqual(Math.max(floor[1]! + headroom[1], live[1]));
          }
        },
      ),
    );
  });
});

describe("collectGarbageEarly", () => {
  it("frees dead buffers well before V8's own external-memory trigger", async () => {
    const stop = collectGarbageEarly({ bufferHeadroomMb: 4, heapHeadroomMb: 1024, intervalMs: 20 });
    try {
      const before = process.memoryUsage().arrayBuffers;
      // 24 MB of buffers that live long enough to reach the old generation (as a page's buffers
      // do while its request runs), then die at once: V8 alone waits for about 64 MB more.
      let held: Buffer[] | null = Array.from({ length: 24 }, (_, i) => Buffer.alloc(1024 * 1024, i));
      for (let round = 0; round < 40; round++) Array.from({ length: 100_000 }, (_, i) => ({ i })).at(0);
      expect(held.length).toBe(24);
      held = null;
      const deadline = Date.now() + 3_000;
      while (process.memoryUsage().arrayBuffers > before + 12 * 1024 * 1024 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(process.memoryUsage().arrayBuffers).toBeLessThan(before + 12 * 1024 * 1024);
    } finally {
      stop();
    }
  });

  it("keeps heap garbage within its headroom, where V8 alone lets the old generation grow to several times the live set", async () => {
    const stop = collectGarbageEarly({ bufferHeadroomMb: 1024, heapHeadroomMb: 8, intervalMs: 5 });
    try {
      globalThis.gc?.();
      const before = process.memoryUsage().heapUsed;
      let most = 0;
      // Each round's objects live through the next round (long enough to be promoted), then die:
      // results passing through a long run. About 3 MB alive at a time.
      let previous: { i: number; text: string }[] = [];
      for (let round = 0; round < 40; round++) {
        const current = Array.from({ length: 20_000 }, (_, i) => ({ i, text: `result ${round}-${i}` }));
        await new Promise((resolve) => setTimeout(resolve, 8));
        previous = current;
        most = Math.max(most, process.memoryUsage().heapUsed - before);
      }
      expect(previous).toHaveLength(20_000);
      expect(most).toBeLessThan(24 * 1024 * 1024);
    } finally {
      stop();
    }
  });
});
