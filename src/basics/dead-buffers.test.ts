import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collectDeadBuffersEarly, createBufferCollector } from "./dead-buffers.js";

describe("createBufferCollector", () => {
  it("collects only past the headroom above what the last collection left alive", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(100), { maxLength: 60 }), fc.nat(50), fc.integer({ min: 1, max: 40 }), (steps, live, headroom) => {
        // A model heap: buffers are allocated between ticks; a collection leaves `live` bytes.
        let bytes = live;
        let floor = 0;
        const collector = createBufferCollector({
          headroomBytes: headroom,
          bufferBytes: () => bytes,
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
    const collector = createBufferCollector({
      headroomBytes: 10,
      bufferBytes: () => bytes,
      collect: () => {
        collections++;
      },
    });
    bytes = 100; // all of it live: a collection frees nothing
    collector.tick();
    for (let i = 0; i < 20; i++) collector.tick();
    expect(collections).toBe(1);
  });
});

describe("collectDeadBuffersEarly", () => {
  it("frees dead buffers well before V8's own external-memory trigger", async () => {
    const stop = collectDeadBuffersEarly(4, 20);
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
});
