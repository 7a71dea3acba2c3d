import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { RateLimitScope } from "../providers/provider.js";
import type { ScaleKeys } from "./scale-config.js";

/** What a worker tells the coordinator and the rest of the fleet beside the shared limiter. */
export interface FleetNotices {
  /** A 429 paused the fleet: the coordinator reports it as a rate-limit pause. */
  pause(ms: number, scope: RateLimitScope): Promise<void>;
  /** The daily quota is used up until `resetAt`: no worker starts a job until then; the coordinator stops. */
  quota(resetAt: number, message: string): Promise<void>;
  /** The run's budget is reached: the queue is paused, so no worker takes another job. */
  budget(which: "requests" | "cost"): Promise<void>;
}

export function createFleetNotices(queue: Queue, client: Redis, keys: ScaleKeys, workerName: string): FleetNotices {
  return {
    async pause(ms, scope) {
      await client.set(
        keys.pause,
        JSON.stringify({ until: Date.now() + ms, scope, worker: workerName }),
        "PX",
        Math.max(1, Math.round(ms)),
      );
    },
    async quota(resetAt, message) {
      const ms = Math.max(1_000, resetAt - Date.now());
      // BullMQ's dynamic rate limit holds every worker's job starts until the reset.
      if ((await client.pttl(queue.keys.limiter ?? queue.toKey("limiter"))) < ms) await queue.rateLimit(Math.round(ms));
      await client.set(keys.quota, JSON.stringify({ resetAt, message, worker: workerName }), "PX", Math.round(ms));
    },
    async budget() {
      await queue.pause();
    },
  };
}
