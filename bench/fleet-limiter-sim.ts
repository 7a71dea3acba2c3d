/**
 * `npx tsx bench/fleet-limiter-sim.ts [configured rps] [provider rps] [seconds] [callers]`: the fleet's
 * shared limiter (the real Lua scripts on a real Redis, the real FleetLimiter) driven by simulated
 * callers in one process against a simulated provider that enforces its own sliding 1 s limit with
 * 429 + Retry-After (whole seconds) and answers after 1 s. No page preparation and no worker
 * processes, so it shows the limiter and its AIMD alone, free of this machine's CPU contention.
 */
import { systemClock } from "../src/batch/clock.js";
import { FleetLimiter } from "../src/scale/fleet-limiter.js";
import { SharedLimiter, sharedLimiterKeys } from "../src/scale/shared-limiter.js";
import type { AttemptRecord } from "../src/storage/store.js";
import { Redis } from "ioredis";
import { startTestRedis } from "../test/scale/support/redis-server.js";

const [configured = 10, providerLimit = 6, seconds = 60, callers = 24] = process.argv.slice(2).map(Number);
const redis = await startTestRedis({ private: true });
const client = new Redis({ host: "127.0.0.1", port: redis.port, maxRetriesPerRequest: null });
const shared = new SharedLimiter(
  client,
  sharedLimiterKeys((type) => `sim:${type}`),
);
await shared.publish(
  { limits: { rps: configured, rpm: null, rpd: null }, maxInFlight: null, maxRequests: null, maxCostUsd: null, guardMs: 40 },
  { todayCount: 0, costBefore: 0, costedBefore: 0 },
);
const attempt = (outcome: AttemptRecord["outcome"]) => ({ outcome, costUsd: null }) as AttemptRecord;
const accepted: number[] = [];
const arrivals: number[] = [];
let refused = 0;
const startedAt = Date.now();
const endAt = startedAt + seconds * 1000;

async function caller(): Promise<void> {
  while (Date.now() < endAt) {
    const limiter = new FleetLimiter(shared, systemClock, { guardMs: 40, leaseMs: 60_000 });
    const slot = await limiter.acquire(new AbortController().signal);
    // The slot is confirmed as the last step before "sending", as the HTTP client's fetch does.
    if (slot.kind !== "granted" || (slot.confirm && !(await slot.confirm()))) {
      limiter.close();
      continue;
    }
    const now = Date.now();
    arrivals.push(now);
    const inWindow = accepted.filter((t) => t > now - 1000);
    const ok = inWindow.length < providerLimit;
    if (ok) accepted.push(now);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (ok) limiter.settle(attempt("ok"));
    else {
      refused++;
      const waitMs = (inWindow[inWindow.length - providerLimit] ?? now) + 1000 - now;
      limiter.settle(attempt("rate_limited"));
      limiter.pauseUntil(Date.now() + Math.max(1, Math.ceil(waitMs / 1000)) * 1000, "request", slot.at);
    }
    limiter.close();
  }
}

await Promise.all(Array.from({ length: callers }, caller));
const half = startedAt + (seconds * 1000) / 2;
const late = accepted.filter((t) => t >= half);
// Accepted requests per second between the first and the last accepted in the second half.
const settled = late.length > 1 ? (late.length - 1) / (((late.at(-1) ?? 0) - (late[0] ?? 0)) / 1000) : 0;
const lateRefused = arrivals.filter((t) => t >= half).length - accepted.filter((t) => t >= half).length;
console.log(
  `configured ${configured}/s, provider ${providerLimit}/s, ${callers} callers, ${seconds} s: ${arrivals.length} requests, ${refused} answered 429 (${((100 * refused) / arrivals.length).toFixed(1)} %; ${lateRefused} in the second half); accepted in the second half ${settled.toFixed(2)}/s = ${(settled / providerLimit).toFixed(3)} of the provider's limit; fleet rate now ${(await shared.state()).rate.toFixed(2)}/s`,
);
client.disconnect();
await redis.stop();
