import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createThreadPool } from "../../../src/basics/thread-pool.js";

const entry = { filename: fileURLToPath(new URL("../../support/workers/sleep-worker.mjs", import.meta.url)), name: "sleepTask" };

describe("createThreadPool", () => {
  it("closes only after every running task has finished, on every thread", async () => {
    const pool = createThreadPool<{ ms: number; value: string }, string>({
      minThreads: 0,
      maxThreads: 2,
      idleTimeout: 1_000,
      youngGenerationMb: 8,
    });
    const short = pool.run({ ms: 50, value: "short" }, entry);
    const long = pool.run({ ms: 600, value: "long" }, entry);
    const order: string[] = [];
    void long.then(() => order.push("long"));
    // Closed while both threads are busy: piscina's own close resolves as soon as the first is
    // idle, then terminates the other mid-task.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await pool.close();
    order.push("closed");
    await expect(short).resolves.toBe("short");
    await expect(long).resolves.toBe("long");
    expect(order).toEqual(["long", "closed"]);
    await expect(pool.run({ ms: 1, value: "late" }, entry)).rejects.toThrow(/closed/);
  });
});
