import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { leaseCpuThreads } from "../../../src/basics/thread-pool.js";

const filename = fileURLToPath(new URL("../../support/workers/sleep-worker.mjs", import.meta.url));
const entry = { filename, name: "sleepTask" };

describe("leaseCpuThreads", () => {
  it("closes only after every running task has finished, on every thread", async () => {
    const pool = leaseCpuThreads<{ ms: number; value: string }, string>();
    const short = pool.run({ ms: 50, value: "short" }, entry);
    const long = pool.run({ ms: 600, value: "long" }, entry);
    const order: string[] = [];
    void long.then(() => order.push("long"));
    // Closed while both tasks run: piscina's own close resolves as soon as the first thread is
    // idle, then terminates the other mid-task.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await pool.close();
    order.push("closed");
    await expect(short).resolves.toBe("short");
    await expect(long).resolves.toBe("long");
    expect(order).toEqual(["long", "closed"]);
    await expect(pool.run({ ms: 1, value: "late" }, entry)).rejects.toThrow(/closed/);
  });

  it("gives every lease the same threads, one per core, and keeps them until the last lease closes", async () => {
    const first = leaseCpuThreads<{ ms: number }, number>();
    const second = leaseCpuThreads<{ ms: number }, number>();
    const task = { filename, name: "whichThread" };
    const many = (pool: typeof first) => Array.from({ length: 4 * availableParallelism() }, () => pool.run({ ms: 30 }, task));
    const threads = new Set(await Promise.all([...many(first), ...many(second)]));
    expect(threads.size).toBeLessThanOrEqual(availableParallelism());
    await first.close();
    // The second lease still runs on the threads it shared.
    const after = await second.run({ ms: 1 }, task);
    expect(threads.has(after)).toBe(true);
    await second.close();
    // A lease taken after the last one closed starts fresh threads.
    const third = leaseCpuThreads<{ ms: number }, number>();
    expect(threads.has(await third.run({ ms: 1 }, task))).toBe(false);
    await third.close();
  });
});
