import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { utcDayStart } from "../batch/clock.js";
import type { RateLimitScope } from "../providers/provider.js";
import type { ScaleConfig, ScaleKeys } from "./scale-config.js";

/**
 * Request tokens shared by every worker, kept in BullMQ's own limiter key so job starts and extra
 * requests draw from one budget:
 * - a job start takes one token (BullMQ's global limiter); it pays for the document's first request;
 * - every further request of the same job (a retry, a re-ask, the next page in page mode) takes one
 *   more token from the same key with the same window arithmetic as BullMQ's moveToActive;
 * - every request also counts against the fleet's daily count (--rpd), kept per UTC day.
 */
export interface FleetTokens {
  /** 0: granted; > 0: wait this many ms and ask again; −1: the daily quota is used up. */
  take(chargeWindow: boolean): Promise<number>;
  /** Pauses every worker (BullMQ's dynamic rate limit) and tells the coordinator. */
  pause(ms: number, scope: RateLimitScope): Promise<void>;
  /** The daily quota is used up until `resetAt`: pause the queue until then and tell the coordinator. */
  quota(resetAt: number, message: string): Promise<void>;
}

const TAKE_SCRIPT = `
local max = tonumber(ARGV[1])
local chargeWindow = ARGV[3] == "1" and max > 0
if chargeWindow then
  local n = tonumber(redis.call("GET", KEYS[1]) or "0")
  if n >= max then
    local pttl = redis.call("PTTL", KEYS[1])
    if pttl > 0 then return pttl end
    redis.call("DEL", KEYS[1])
  end
end
local rpd = tonumber(ARGV[4])
if rpd > 0 then
  local used = tonumber(redis.call("GET", KEYS[2]) or "0")
  if used >= rpd then return -1 end
end
redis.call("INCR", KEYS[2])
redis.call("EXPIRE", KEYS[2], 172800)
if chargeWindow then
  local count = redis.call("INCR", KEYS[1])
  if count == 1 then redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
end
return 0
`;

export function createFleetTokens(queue: Queue, client: Redis, keys: ScaleKeys, config: ScaleConfig, workerName: string): FleetTokens {
  const max = config.limiter?.max ?? 0;
  const duration = config.limiter?.duration ?? 1;
  const rpd = config.limits.rpd ?? 0;
  const limiterKey = queue.keys.limiter ?? queue.toKey("limiter");
  const longerPause = async (ms: number): Promise<void> => {
    const left = await client.pttl(limiterKey);
    const current = Number(await client.get(limiterKey));
    // A longer pause already in force (value ≥ max) stays as it is.
    if (left >= ms && current >= Math.max(1, max)) return;
    await queue.rateLimit(Math.max(1, Math.round(ms)));
  };
  return {
    async take(chargeWindow) {
        const answer = await client.eval(
        TAKE_SCRIPT,
        2,
        limiterKey,
        keys.day(utcDayStart(Date.now())),
        String(max),
        String(duration),
        chargeWindow ? "1" : "0",
        String(rpd),
      );
      return Number(answer);
    },
    async pause(ms, scope) {
        await longerPause(ms);
      await client.set(keys.pause, JSON.stringify({ until: Date.now() + ms, scope, worker: workerName }), "PX", Math.max(1, Math.round(ms)));
    },
    async quota(resetAt, message) {
      const ms = Math.max(1_000, resetAt - Date.now());
        await longerPause(ms);
      await client.set(keys.quota, JSON.stringify({ resetAt, message, worker: workerName }), "PX", Math.round(ms));
    },
  };
}
