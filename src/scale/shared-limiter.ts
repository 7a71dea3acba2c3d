import type { Redis } from "ioredis";
import type { RateLimits } from "../batch/limiter.js";
import type { RateLimitScope } from "../providers/provider.js";

/**
 * The fleet's one request limiter, kept in Redis and changed only by atomic Lua scripts that read
 * Redis' own clock (TIME), so every worker on every machine sees one schedule.
 *
 * - Sliding windows: the start times granted in the last second and the last minute are kept in
 *   sorted sets (a sliding log, at most `limit` entries each). A grant is placed where it fits
 *   under both: no fixed windows, no bursts at window edges.
 * - A grant is a reservation: the script answers "send at T" (T ≥ now), so waiting callers do not
 *   poll. Reservations are monotonic, which keeps the sliding-log arithmetic exact.
 * - Each window is `guardMs` longer than the provider's, which absorbs the delay between a grant
 *   and the request reaching the provider. A caller confirms its slot as the last step before its
 *   request goes on the wire. One later than half the guard sends only if its entry, moved to the
 *   time of the confirmation, still fits every window; else it gives the slot up and asks again.
 *   So a late timer or a starved process never squeezes two requests closer together.
 * - Pacing: grants are spaced by 1/rate, the rate set by AIMD across the fleet (a 429 anywhere cuts
 *   it, runs of successes raise it back) and never above the configured limits.
 * - Per UTC day (--rpd), the requests of this run (--max-requests), the cost of this run
 *   (--max-cost) and the requests in flight (--workers, as leases that expire if a worker dies)
 *   are counted in the same script, so every limit holds for the fleet as a whole.
 */

/** Names of the limiter's keys (under the queue's prefix). */
export interface SharedLimiterKeys {
  /** Hash: settings (limits, budgets) and state (rate, next slot, pause, counters). */
  readonly state: string;
  /** Sorted set: grant times in the short window (per second). */
  readonly short: string;
  /** Sorted set: grant times in the long window (per minute). */
  readonly long: string;
  /** Sorted set: requests in flight, scored by when their lease expires. */
  readonly leases: string;
  /** Hash: grants and 429s per second over the last seconds (what the provider accepted). */
  readonly recent: string;
}

export function sharedLimiterKeys(toKey: (type: string) => string): SharedLimiterKeys {
  return {
    state: toKey("ballot:limiter"),
    short: toKey("ballot:limiter:short"),
    long: toKey("ballot:limiter:long"),
    leases: toKey("ballot:limiter:leases"),
    recent: toKey("ballot:limiter:recent"),
  };
}

/** What the coordinator publishes: the limits of the whole fleet and the run's budgets. */
export interface SharedLimiterSettings {
  readonly limits: RateLimits;
  /** Most requests in flight across the fleet (--workers); null: no cap. */
  readonly maxInFlight: number | null;
  /** Requests this run may send (--max-requests); null: no budget. */
  readonly maxRequests: number | null;
  /** USD this run may spend (--max-cost); null: no budget. */
  readonly maxCostUsd: number | null;
  /** Extra length of each window for the grant-to-provider delay. */
  readonly guardMs: number;
}

/** Past usage the coordinator knows from its store (Redis may have forgotten it). */
export interface SharedLimiterHistory {
  /** Requests already made today (UTC). */
  readonly todayCount: number;
  /** Cost and number of costed requests of earlier runs: the average cost per request. */
  readonly costBefore: number;
  readonly costedBefore: number;
  /** Requests of this run already made (a republish after Redis lost its state keeps the budget). */
  readonly sentThisRun?: number;
}

export const DEFAULT_GUARD_MS = 20;

/** One window of the sliding log: at most `limit` grants in any `spanMs`. */
export interface LimiterWindow {
  readonly limit: number;
  readonly spanMs: number;
}

/**
 * The windows for the configured limits. A limit below one per window becomes one per a
 * proportionally longer window (0.5 rps = 1 per 2 s).
 */
export function limiterWindows(
  limits: RateLimits,
  guardMs: number,
): { short: LimiterWindow | null; long: LimiterWindow | null; rate: number } {
  const window = (perWindow: number | null, windowMs: number): LimiterWindow | null => {
    if (perWindow === null || !(perWindow > 0) || !Number.isFinite(perWindow)) return null;
    if (perWindow < 1) return { limit: 1, spanMs: Math.ceil(windowMs / perWindow) + guardMs };
    return { limit: Math.floor(perWindow), spanMs: windowMs + guardMs };
  };
  const short = window(limits.rps, 1_000);
  const long = window(limits.rpm, 60_000);
  // Paced evenly at the rate the windows sustain, so the windows themselves rarely bind.
  const rates = [short, long].filter((w): w is LimiterWindow => w !== null).map((w) => (w.limit * 1_000) / w.spanMs);
  return { short, long, rate: rates.length === 0 ? 0 : Math.min(...rates) };
}

export type ReserveAnswer =
  /** Send at `waitMs` from now (server time `at`); `serverNow` is Redis' clock when it answered. */
  | { readonly kind: "granted"; readonly at: number; readonly serverNow: number; readonly waitMs: number }
  /** Nothing free soon enough (or every in-flight lease taken): ask again after `waitMs`. */
  | { readonly kind: "wait"; readonly waitMs: number; readonly serverNow: number }
  /** The fleet's --rpd is used up until `resetAt`. */
  | { readonly kind: "quota"; readonly resetAt: number; readonly serverNow: number }
  /** The run's request or cost budget is reached. */
  | { readonly kind: "budget"; readonly budget: "requests" | "cost"; readonly serverNow: number };

export type ConfirmAnswer =
  /**
   * Send now (Redis' clock: `serverNow`). `loggedAt`: the request's time in the windows, its slot,
   * or `serverNow` when it came late and still fitted there.
   */
  | { readonly kind: "send"; readonly serverNow: number; readonly loggedAt: number }
  /** Woke before the slot (timers differ from Redis' clock): sleep this much more. */
  | { readonly kind: "early"; readonly waitMs: number }
  /** A pause began after the reservation, or this caller woke too late: the slot is given up. */
  | { readonly kind: "again"; readonly waitMs: number };

export type SettleOutcome = "ok" | "refused" | "other";

/** A snapshot for `status` and the coordinator's log. */
export interface SharedLimiterState {
  readonly rate: number;
  readonly configuredRate: number;
  readonly pausedUntil: number;
  readonly inFlight: number;
  readonly sent: number;
  readonly costUsd: number;
  readonly rateLimited: number;
  readonly dayCount: number;
  readonly budgetHit: "requests" | "cost" | null;
}

/** AIMD constants, the same as the single-machine limiter's defaults. */
const AIMD = { decrease: 0.85, fastStep: 0.05, slowStep: 0.003, minRun: 10, runSeconds: 3, minRps: 1 / 60 };

const PRELUDE = `
local function num(v, d) if v == false or v == nil or v == '' then return d end return tonumber(v) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** KEYS: state, short, long, leases, recent. ARGV: lease id, lease ttl ms, horizon ms. */
const RESERVE = `${PRELUDE}
local s = redis.call('HMGET', KEYS[1], 'shortLimit', 'shortSpan', 'longLimit', 'longSpan', 'rpd', 'maxInFlight', 'maxRequests', 'maxCost',
  'rate', 'nextSlot', 'pausedUntil', 'day', 'dayCount', 'sent', 'cost', 'costed', 'costBefore', 'costedBefore', 'published')
-- No settings (Redis lost its state): nobody sends until the coordinator publishes them again.
if s[19] == false then return {1, now, 500} end
local shortLimit, shortSpan, longLimit, longSpan = num(s[1], 0), num(s[2], 0), num(s[3], 0), num(s[4], 0)
local rpd, maxInFlight, maxRequests, maxCost = num(s[5], 0), num(s[6], 0), num(s[7], 0), num(s[8], 0)
local rate, nextSlot, pausedUntil = num(s[9], 0), num(s[10], 0), num(s[11], 0)
local day, dayCount, sent = num(s[12], -1), num(s[13], 0), num(s[14], 0)
local cost, costed, costBefore, costedBefore = num(s[15], 0), num(s[16], 0), num(s[17], 0), num(s[18], 0)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
local inFlight = redis.call('ZCARD', KEYS[4])
if maxRequests > 0 and sent >= maxRequests then
  redis.call('HSET', KEYS[1], 'budgetHit', 'requests')
  return {3, now, 0}
end
if maxCost > 0 then
  local n = costedBefore + costed
  local average = 0
  if n > 0 then average = (costBefore + cost) / n end
  if cost + average * (inFlight + 1) > maxCost then
    redis.call('HSET', KEYS[1], 'budgetHit', 'cost')
    return {4, now, 0}
  end
end
local today = math.floor(now / 86400000)
if day ~= today then dayCount = 0 end
if rpd > 0 and dayCount >= rpd then return {2, now, (today + 1) * 86400000} end
if maxInFlight > 0 and inFlight >= maxInFlight then return {1, now, 50} end
local at = math.max(now, nextSlot, pausedUntil)
local function fit(key, limit, span)
  if limit <= 0 then return end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
  local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if last[2] then at = math.max(at, tonumber(last[2])) end
  local n = redis.call('ZCARD', key)
  if n >= limit then
    local blocking = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
    at = math.max(at, tonumber(blocking[2]) + span)
  end
end
fit(KEYS[2], shortLimit, shortSpan)
fit(KEYS[3], longLimit, longSpan)
local horizon = tonumber(ARGV[3])
if at - now > horizon then return {1, now, math.floor(math.min(at - now - horizon / 2, 1000))} end
-- Whole milliseconds in the logs (rounded up: never earlier); the pacing keeps its fraction.
local slot = math.ceil(at)
local member = slot .. ':' .. ARGV[1]
if shortLimit > 0 then
  redis.call('ZADD', KEYS[2], slot, member)
  redis.call('PEXPIRE', KEYS[2], math.floor(slot - now + shortSpan + 1000))
end
if longLimit > 0 then
  redis.call('ZADD', KEYS[3], slot, member)
  redis.call('PEXPIRE', KEYS[3], math.floor(slot - now + longSpan + 1000))
end
redis.call('ZADD', KEYS[4], slot + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[4], math.floor(slot - now + tonumber(ARGV[2]) + 1000))
local gap = 0
if rate > 0 then gap = 1000 / rate end
local second = math.floor(slot / 1000)
redis.call('HINCRBY', KEYS[5], 'g' .. second, 1)
redis.call('HDEL', KEYS[5], 'g' .. (second - 11), 'r' .. (second - 11))
redis.call('PEXPIRE', KEYS[5], 15000)
redis.call('HSET', KEYS[1], 'nextSlot', at + gap, 'day', today, 'dayCount', dayCount + 1, 'sent', sent + 1)
redis.call('HSETNX', KEYS[1], 'firstGrantAt', slot)
return {0, now, slot}
`;

/**
 * Gives a reservation back unsent: the budgets get it back, and when its slot is known its entry
 * leaves the windows; when it was the newest slot, the pacing gets its gap back too, so the next
 * reservation takes it. Slot "": not known (the caller stopped while its reservation was in
 * flight), the window entry stays (conservative).
 */
const REFUND = `
local function refund(leaseId, slot)
  if redis.call('ZREM', KEYS[4], leaseId) == 0 then return end
  local s = redis.call('HMGET', KEYS[1], 'sent', 'dayCount', 'rate', 'nextSlot')
  local sent, dayCount = tonumber(s[1] or '0') or 0, tonumber(s[2] or '0') or 0
  if sent > 0 then redis.call('HSET', KEYS[1], 'sent', sent - 1) end
  if dayCount > 0 then redis.call('HSET', KEYS[1], 'dayCount', dayCount - 1) end
  if slot == nil or slot == '' then return end
  local member = slot .. ':' .. leaseId
  local removed = redis.call('ZREM', KEYS[2], member) + redis.call('ZREM', KEYS[3], member)
  local rate, nextSlot = tonumber(s[3] or '0') or 0, tonumber(s[4] or '0') or 0
  local at = tonumber(slot)
  -- Only the newest slot gives its gap back: refilling an older hole would put two requests in one
  -- gap, above the fleet's adapted pace (the windows hold only the configured limits).
  if removed > 0 and rate > 0 and at and math.abs(at + 1000 / rate - nextSlot) < 1 then
    redis.call('HSET', KEYS[1], 'nextSlot', at)
  end
end
`;

/**
 * KEYS: state, short, long, leases, recent. ARGV: lease id, reserved at (server ms), tolerance ms.
 * Answers {0, 0, now, logged at} (send), {1, wait ms} (early) or {2, wait ms} (given back).
 */
const CONFIRM = `${PRELUDE}${REFUND}
local at, tolerance = tonumber(ARGV[2]), tonumber(ARGV[3])
local s = redis.call('HMGET', KEYS[1], 'pausedUntil', 'shortLimit', 'shortSpan', 'longLimit', 'longSpan')
local pausedUntil = num(s[1], 0)
if pausedUntil > at then
  refund(ARGV[1], ARGV[2])
  return {2, math.max(0, pausedUntil - now)}
end
if now < at then return {1, at - now} end
if now <= at + tolerance then return {0, 0, now, at} end
-- Late: the request may still go now if its log entry, moved from its slot to now, fits every
-- window that holds now (the others only lose an entry). Else the slot is given back.
local member = at .. ':' .. ARGV[1]
local function fitsNow(key, limit, span)
  if limit <= 0 then return true end
  local raw = redis.call('ZRANGEBYSCORE', key, '(' .. (now - span), '(' .. (now + span), 'WITHSCORES')
  local times = {now}
  for i = 1, #raw, 2 do
    if raw[i] ~= member then times[#times + 1] = tonumber(raw[i + 1]) end
  end
  table.sort(times)
  local j = 1
  for i = 1, #times do
    if times[i] > now then break end
    while j <= #times and times[j] < times[i] + span do j = j + 1 end
    if j - i > limit then return false end
  end
  return true
end
local shortLimit, shortSpan, longLimit, longSpan = num(s[2], 0), num(s[3], 0), num(s[4], 0), num(s[5], 0)
if not (fitsNow(KEYS[2], shortLimit, shortSpan) and fitsNow(KEYS[3], longLimit, longSpan)) then
  refund(ARGV[1], ARGV[2])
  return {2, 0}
end
if shortLimit > 0 then redis.call('ZADD', KEYS[2], now, member) end
if longLimit > 0 then redis.call('ZADD', KEYS[3], now, member) end
return {0, 0, now, now}
`;

/** KEYS: as above. ARGV: lease id, its slot (server ms; "" when unknown). */
const CANCEL = `${PRELUDE}${REFUND}
refund(ARGV[1], ARGV[2])
return 0
`;

/** KEYS: as above. ARGV: lease id, outcome (ok | refused | other), cost USD ("" when unknown). */
const SETTLE = `${PRELUDE}
redis.call('ZREM', KEYS[4], ARGV[1])
local cost = tonumber(ARGV[3])
if cost ~= nil then
  redis.call('HINCRBYFLOAT', KEYS[1], 'cost', cost)
  redis.call('HINCRBY', KEYS[1], 'costed', 1)
end
if ARGV[2] == 'refused' then
  redis.call('HINCRBY', KEYS[5], 'r' .. math.floor(now / 1000), 1)
  redis.call('PEXPIRE', KEYS[5], 15000)
  return 0
end
if ARGV[2] ~= 'ok' then return 0 end
local s = redis.call('HMGET', KEYS[1], 'rate', 'configuredRate', 'rateAtLast429', 'successRun')
local rate, configured, atLast, run = num(s[1], 0), num(s[2], 0), num(s[3], 0), num(s[4], 0)
-- rate 0 = unpaced (no limit, no 429 yet); configured 0 = no configured limit.
if rate == 0 or (configured > 0 and rate >= configured) then return 0 end
run = run + 1
local needed = math.max(${AIMD.minRun}, math.ceil(rate * ${AIMD.runSeconds}))
if run < needed then
  redis.call('HSET', KEYS[1], 'successRun', run)
  return 0
end
local reference = configured
if reference == 0 then reference = atLast end
local step = ${AIMD.slowStep}
if atLast == 0 or rate < 0.95 * atLast then step = ${AIMD.fastStep} end
local raised = rate + reference * step
if configured > 0 then raised = math.min(configured, raised) end
redis.call('HSET', KEYS[1], 'rate', raised, 'successRun', 0)
return 1
`;

/** KEYS: as above. ARGV: pause ms, scope, granted at (server ms; "" when unknown). */
const PENALIZE = `${PRELUDE}
local s = redis.call('HMGET', KEYS[1], 'rate', 'configuredRate', 'pausedUntil', 'lastDecreaseAt', 'firstGrantAt', 'nextSlot')
local rate, configured, pausedUntil = num(s[1], 0), num(s[2], 0), num(s[3], 0)
local lastDecreaseAt, firstGrantAt, nextSlot = num(s[4], -1), num(s[5], now), num(s[6], 0)
local untilMs = now + tonumber(ARGV[1])
redis.call('HINCRBY', KEYS[1], 'rateLimited', 1)
if untilMs > pausedUntil then
  redis.call('HSET', KEYS[1], 'pausedUntil', untilMs, 'pauseScope', ARGV[2], 'nextSlot', math.max(nextSlot, untilMs))
end
local grantedAt = tonumber(ARGV[3])
if grantedAt ~= nil and grantedAt < lastDecreaseAt then return 0 end
-- What the provider accepted over the last seconds bounds what it will sustain.
local second = math.floor(now / 1000)
local span = math.min(10000, now - firstGrantAt)
local accepted = nil
if span >= 1000 then
  local granted, refused = 0, 0
  for i = 0, 9 do
    granted = granted + num(redis.call('HGET', KEYS[5], 'g' .. (second - i)), 0)
    refused = refused + num(redis.call('HGET', KEYS[5], 'r' .. (second - i)), 0)
  end
  accepted = math.max(0, granted - refused) / (span / 1000)
end
local current = rate
if current == 0 then current = math.max(accepted or 0, ${AIMD.minRps}) end
local cut = current * ${AIMD.decrease}
local atLast = current
if accepted ~= nil then atLast = math.min(current, math.max(accepted, cut)) end
local target = cut
if accepted ~= nil then
  if accepted < cut then target = accepted * 0.95 else target = math.max(cut, math.min(current, accepted) * 0.95) end
end
target = math.max(${AIMD.minRps}, target)
redis.call('HSET', KEYS[1], 'rate', target, 'rateAtLast429', atLast, 'lastDecreaseAt', now, 'successRun', 0)
return 1
`;

/**
 * KEYS: as above. ARGV: short limit, short span, long limit, long span, rpd, max in flight, max
 * requests, max cost, configured rate, today's count from the store, cost before, costed before,
 * requests of this run already made.
 * A new run: budgets restart, the rate starts at the configured one, the pause and budget stop clear.
 */
const PUBLISH = `${PRELUDE}
local s = redis.call('HMGET', KEYS[1], 'day', 'dayCount', 'pausedUntil')
local today = math.floor(now / 86400000)
local dayCount = num(s[2], 0)
if num(s[1], -1) ~= today then dayCount = 0 end
dayCount = math.max(dayCount, tonumber(ARGV[10]))
redis.call('HSET', KEYS[1], 'shortLimit', ARGV[1], 'shortSpan', ARGV[2], 'longLimit', ARGV[3], 'longSpan', ARGV[4], 'rpd', ARGV[5],
  'maxInFlight', ARGV[6], 'maxRequests', ARGV[7], 'maxCost', ARGV[8], 'configuredRate', ARGV[9], 'rate', ARGV[9],
  'day', today, 'dayCount', dayCount, 'sent', ARGV[13], 'cost', 0, 'costed', 0, 'costBefore', ARGV[11], 'costedBefore', ARGV[12],
  'successRun', 0, 'rateAtLast429', 0, 'lastDecreaseAt', -1, 'published', now)
redis.call('HDEL', KEYS[1], 'budgetHit', 'firstGrantAt')
return 0
`;

/** KEYS: as above. ARGV: short limit, short span, long limit, long span, rpd, configured rate. Live limit change, same run. */
const RELIMIT = `
redis.call('HSET', KEYS[1], 'shortLimit', ARGV[1], 'shortSpan', ARGV[2], 'longLimit', ARGV[3], 'longSpan', ARGV[4], 'rpd', ARGV[5],
  'configuredRate', ARGV[6], 'rate', ARGV[6], 'successRun', 0, 'rateAtLast429', 0)
return 0
`;

const STATE = `${PRELUDE}
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
local s = redis.call('HMGET', KEYS[1], 'rate', 'configuredRate', 'pausedUntil', 'sent', 'cost', 'rateLimited', 'dayCount', 'budgetHit')
return {s[1] or '0', s[2] or '0', s[3] or '0', redis.call('ZCARD', KEYS[4]), s[4] or '0', s[5] or '0', s[6] or '0', s[7] or '0', s[8] or '', now}
`;

type Scripted = Redis & {
  ballotReserve(...args: (string | number)[]): Promise<unknown>;
  ballotConfirm(...args: (string | number)[]): Promise<unknown>;
  ballotCancel(...args: (string | number)[]): Promise<unknown>;
  ballotSettle(...args: (string | number)[]): Promise<unknown>;
  ballotPenalize(...args: (string | number)[]): Promise<unknown>;
  ballotPublish(...args: (string | number)[]): Promise<unknown>;
  ballotRelimit(...args: (string | number)[]): Promise<unknown>;
  ballotLimiterState(...args: (string | number)[]): Promise<unknown>;
};

function scripted(client: Redis): Scripted {
  const scripts: Record<string, string> = {
    ballotReserve: RESERVE,
    ballotConfirm: CONFIRM,
    ballotCancel: CANCEL,
    ballotSettle: SETTLE,
    ballotPenalize: PENALIZE,
    ballotPublish: PUBLISH,
    ballotRelimit: RELIMIT,
    ballotLimiterState: STATE,
  };
  // defineCommand sends EVALSHA and falls back to EVAL, so a restarted Redis reloads the scripts.
  for (const [name, lua] of Object.entries(scripts)) {
    if (!(name in client)) client.defineCommand(name, { numberOfKeys: 5, lua });
  }
  return client as Scripted;
}

const toNumbers = (reply: unknown): number[] => (Array.isArray(reply) ? reply.map((v) => Number(v)) : [Number(reply)]);

/** The limiter's operations on one Redis connection. */
export class SharedLimiter {
  private readonly redis: Scripted;
  private readonly keyList: string[];

  constructor(
    client: Redis,
    readonly keys: SharedLimiterKeys,
  ) {
    this.redis = scripted(client);
    this.keyList = [keys.state, keys.short, keys.long, keys.leases, keys.recent];
  }

  /** A new run's settings and budgets (the coordinator, at every start and resume). */
  async publish(settings: SharedLimiterSettings, history: SharedLimiterHistory): Promise<void> {
    const w = limiterWindows(settings.limits, settings.guardMs);
    await this.redis.ballotPublish(
      ...this.keyList,
      w.short?.limit ?? 0,
      w.short?.spanMs ?? 0,
      w.long?.limit ?? 0,
      w.long?.spanMs ?? 0,
      settings.limits.rpd ?? 0,
      settings.maxInFlight ?? 0,
      settings.maxRequests ?? 0,
      settings.maxCostUsd ?? 0,
      w.rate,
      history.todayCount,
      history.costBefore,
      history.costedBefore,
      history.sentThisRun ?? 0,
    );
  }

  /** New limits for the running fleet, budgets and counts kept. */
  async relimit(limits: RateLimits, guardMs: number): Promise<void> {
    const w = limiterWindows(limits, guardMs);
    await this.redis.ballotRelimit(
      ...this.keyList,
      w.short?.limit ?? 0,
      w.short?.spanMs ?? 0,
      w.long?.limit ?? 0,
      w.long?.spanMs ?? 0,
      limits.rpd ?? 0,
      w.rate,
    );
  }

  async reserve(leaseId: string, leaseTtlMs: number, horizonMs: number): Promise<ReserveAnswer> {
    const [code = 0, serverNow = 0, value = 0] = toNumbers(
      await this.redis.ballotReserve(...this.keyList, leaseId, Math.round(leaseTtlMs), Math.round(horizonMs)),
    );
    switch (code) {
      case 0:
        return { kind: "granted", at: value, serverNow, waitMs: Math.max(0, value - serverNow) };
      case 1:
        return { kind: "wait", waitMs: Math.max(1, value), serverNow };
      case 2:
        return { kind: "quota", resetAt: value, serverNow };
      case 3:
        return { kind: "budget", budget: "requests", serverNow };
      default:
        return { kind: "budget", budget: "cost", serverNow };
    }
  }

  async confirm(leaseId: string, at: number, toleranceMs: number): Promise<ConfirmAnswer> {
    const [code = 0, waitMs = 0, serverNow = 0, loggedAt = at] = toNumbers(
      await this.redis.ballotConfirm(...this.keyList, leaseId, at, Math.round(toleranceMs)),
    );
    if (code === 0) return { kind: "send", serverNow, loggedAt };
    if (code === 1) return { kind: "early", waitMs };
    return { kind: "again", waitMs };
  }

  /**
   * A reservation not sent after all (the caller stopped, or came too late for its slot): the
   * budgets get it back; with its slot `at` (server time), so do the windows and the pacing.
   */
  async cancel(leaseId: string, at: number | null = null): Promise<void> {
    await this.redis.ballotCancel(...this.keyList, leaseId, at === null ? "" : at);
  }

  /** The request ended: its lease is freed, its cost counted, a success may raise the rate. */
  async settle(leaseId: string, outcome: SettleOutcome, costUsd: number | null): Promise<void> {
    await this.redis.ballotSettle(...this.keyList, leaseId, outcome, costUsd === null ? "" : costUsd);
  }

  /** A 429: every worker holds until the pause ends, and the fleet's rate is cut (once per burst). */
  async penalize(pauseMs: number, scope: RateLimitScope, grantedAtServer: number | null): Promise<void> {
    await this.redis.ballotPenalize(
      ...this.keyList,
      Math.max(0, Math.round(pauseMs)),
      scope,
      grantedAtServer === null ? "" : grantedAtServer,
    );
  }

  async state(): Promise<SharedLimiterState> {
    const raw = (await this.redis.ballotLimiterState(...this.keyList)) as unknown[];
    const n = (i: number) => Number(raw[i] ?? 0);
    const hit = String(raw[8] ?? "");
    return {
      rate: n(0),
      configuredRate: n(1),
      pausedUntil: n(2),
      inFlight: n(3),
      sent: n(4),
      costUsd: n(5),
      rateLimited: n(6),
      dayCount: n(7),
      budgetHit: hit === "requests" || hit === "cost" ? hit : null,
    };
  }
}
