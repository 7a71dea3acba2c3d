import { Queue } from "bullmq";
import { parseJsonWith } from "../basics/parse-json.js";
import { describeLimits } from "../batch/rate-limiter.js";
import { connectionOptions, openRedis, parseQueueUrl, type QueueLocation } from "./queue-url.js";
import {
  type PauseNotice,
  PauseNoticeSchema,
  type QuotaNotice,
  QuotaNoticeSchema,
  type ScaleConfig,
  ScaleConfigSchema,
  scaleKeys,
  type WorkerHeartbeat,
  WorkerHeartbeatSchema,
} from "./scale-config.js";
import { SharedLimiter, type SharedLimiterState, sharedLimiterKeys } from "./shared-limiter.js";

export interface QueueStatus {
  readonly queue: string;
  readonly redis: string;
  readonly jobs: {
    readonly waiting: number;
    readonly active: number;
    readonly delayed: number;
    readonly completed: number;
    readonly failed: number;
  };
  /** Finished documents whose results the coordinator has not collected yet are in `completed`/`failed`. */
  readonly paused: boolean;
  readonly workers: readonly (WorkerHeartbeat & { readonly alive: boolean; readonly stopped: string | null })[];
  /** BullMQ connections named as workers of this queue (includes workers that never sent a heartbeat). */
  readonly connectedWorkers: number;
  readonly pause: PauseNotice | null;
  readonly quota: QuotaNotice | null;
  readonly config: ScaleConfig | null;
  readonly requestsToday: number;
  /** The shared limiter: the fleet's current rate, requests in flight, this run's requests. */
  readonly limiter: SharedLimiterState;
  readonly attemptsWaiting: number;
  readonly redisMemoryBytes: number | null;
}

const ALIVE_MS = 15_000;

export async function readQueueStatus(location: QueueLocation): Promise<QueueStatus> {
  const queue = new Queue(location.queueName, { connection: connectionOptions(location) });
  const client = openRedis(location);
  queue.on("error", () => {});
  client.on("error", () => {});
  try {
    const keys = scaleKeys((type) => queue.toKey(type));
    const counts = await queue.getJobCounts("waiting", "prioritized", "active", "delayed", "completed", "failed");
    const shared = new SharedLimiter(
      client,
      sharedLimiterKeys((type) => queue.toKey(type)),
    );
    const [paused, clients, beats, fatal, pauseText, quotaText, configText, limiter, attemptsWaiting, memory] = await Promise.all([
      queue.isPaused(),
      queue.getWorkers(),
      client.hgetall(keys.workers),
      client.hgetall(keys.fatal),
      client.get(keys.pause),
      client.get(keys.quota),
      client.get(keys.config),
      shared.state(),
      client.llen(keys.attempts),
      client.info("memory"),
    ]);
    const now = Date.now();
    const workers = Object.values(beats ?? {})
      .map((text) => parseJsonWith(WorkerHeartbeatSchema, text))
      .filter((beat): beat is WorkerHeartbeat => beat !== null)
      .map((beat) => ({ ...beat, alive: now - beat.lastSeen < ALIVE_MS, stopped: fatal?.[beat.name] ?? null }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const used = /used_memory:(\d+)/.exec(memory)?.[1];
    return {
      queue: location.queueName,
      redis: location.display,
      jobs: {
        waiting: (counts["waiting"] ?? 0) + (counts["prioritized"] ?? 0),
        active: counts["active"] ?? 0,
        delayed: counts["delayed"] ?? 0,
        completed: counts["completed"] ?? 0,
        failed: counts["failed"] ?? 0,
      },
      paused,
      workers,
      connectedWorkers: new Set(clients.map((c) => c["name"] ?? c["id"])).size,
      pause: parseJsonWith(PauseNoticeSchema, pauseText),
      quota: parseJsonWith(QuotaNoticeSchema, quotaText),
      config: parseJsonWith(ScaleConfigSchema, configText),
      requestsToday: limiter.dayCount,
      limiter,
      attemptsWaiting,
      redisMemoryBytes: used === undefined ? null : Number(used),
    };
  } finally {
    await queue.close().catch(() => {});
    client.disconnect();
  }
}

export function formatQueueStatus(status: QueueStatus): string[] {
  const lines: string[] = [];
  const j = status.jobs;
  lines.push(`Queue "${status.queue}" on ${status.redis}${status.paused ? " (paused)" : ""}`);
  lines.push(
    `Jobs: ${j.waiting} waiting, ${j.active} active, ${j.delayed} delayed (retry backoff), ${j.completed} done and ${j.failed} failed awaiting the coordinator`,
  );
  if (status.config) {
    const inFlight = status.config.maxInFlight === null ? "" : `, at most ${status.config.maxInFlight} requests in flight`;
    lines.push(
      `Limits for the whole fleet: ${describeLimits(status.config.limits)}${inFlight}; requests today (UTC): ${status.requestsToday}`,
    );
    const l2 = status.limiter;
    const rate =
      l2.rate > 0
        ? `${l2.rate.toFixed(2)} requests/s${l2.configuredRate > 0 && l2.rate < l2.configuredRate - 1e-9 ? ` (lowered after 429s from ${l2.configuredRate.toFixed(2)})` : ""}`
        : "unpaced";
    lines.push(
      `Shared limiter: ${rate}; ${l2.inFlight} requests in flight; ${l2.sent} requests this run${l2.budgetHit ? `; stopped by the ${l2.budgetHit === "cost" ? "cost" : "request"} budget` : ""}; ${l2.rateLimited} answered 429`,
    );
  } else {
    lines.push("No coordinator has published a configuration on this queue yet.");
  }
  const now = Date.now();
  if (status.pause && status.pause.until > now)
    lines.push(
      `Paused by a 429 (${status.pause.scope}) until ${new Date(status.pause.until).toISOString()}, reported by ${status.pause.worker}`,
    );
  if (status.quota)
    lines.push(`Daily quota used up: paused until ${new Date(status.quota.resetAt).toISOString()} (${status.quota.message})`);
  const alive = status.workers.filter((w) => w.alive && w.stopped === null);
  lines.push(`Workers: ${alive.length} alive (${status.connectedWorkers} connected to the queue)`);
  for (const w of status.workers) {
    const state =
      w.stopped !== null ? `stopped: ${w.stopped}` : w.alive ? "alive" : `silent for ${Math.round((now - w.lastSeen) / 1000)} s`;
    lines.push(
      `  ${w.name}  ${state}; concurrency ${w.concurrency}, ${w.active} active, ${w.done} done; ${w.provider}; since ${w.startedAt}`,
    );
  }
  if (status.attemptsWaiting > 0) lines.push(`Attempt records waiting for the coordinator: ${status.attemptsWaiting}`);
  if (status.redisMemoryBytes !== null) lines.push(`Redis memory used: ${(status.redisMemoryBytes / 1_048_576).toFixed(1)} MB`);
  return lines;
}

/** `ballot-ocr status --queue URL`: prints the queue's state; returns the exit code (2 for a bad URL). */
export async function showQueueStatus(
  url: string,
  json: boolean,
  write: (text: string) => void,
  env: NodeJS.ProcessEnv = {},
): Promise<number> {
  const location = parseQueueUrl(url, env);
  if (!location.ok) {
    write(`error: ${location.error}\n`);
    return 2;
  }
  const status = await readQueueStatus(location.value);
  if (json) write(`${JSON.stringify(status)}\n`);
  else for (const line of formatQueueStatus(status)) write(`${line}\n`);
  return 0;
}
