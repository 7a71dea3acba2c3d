import { resolve } from "node:path";
import { Queue } from "bullmq";
import { parseJsonWith } from "../basics/parse-json.js";
import { untilAborted } from "../basics/until-aborted.js";
import { type Clock, sleep, systemClock, utcDayStart } from "../batch/clock.js";
import type { BatchSummary } from "../batch/engine.js";
import { DiscoveryFeed } from "../batch/discovery-feed.js";
import { concludeRun, type RunStop, safeEmitter } from "../batch/run-tally.js";
import type { BatchEvent, ProgressSnapshot, RunEnd } from "../batch/events.js";
import { failedResult } from "../forms/failed-result.js";
import type { Discovery } from "../batch/pipeline.js";
import type { RateLimits } from "../batch/limiter.js";
import type { RetryPolicy } from "../batch/retry-policy.js";
import type { RequestMode } from "../extract/types.js";
import type { FormResult } from "../forms/form-result.js";
import { EMPTY_PATH_METADATA } from "../forms/path-metadata.js";
import type { Store } from "../storage/store.js";
import { type JobData, JobResultSchema, parseAttempt, READ_JOB } from "./job-data.js";
import { connectionOptions, openRedis, type QueueLocation } from "./queue-url.js";
import { ENGINE_BACKOFF } from "./scale-worker.js";
import {
  DEFAULT_FLEET_WITNESSES,
  PauseNoticeSchema,
  QuotaNoticeSchema,
  type ScaleConfig,
  scaleKeys,
  WorkerHeartbeatSchema,
} from "./scale-config.js";
import { DEFAULT_GUARD_MS, SharedLimiter, sharedLimiterKeys } from "./shared-limiter.js";

export interface CoordinatorOptions {
  readonly inputs: readonly string[];
  /** The fleet's limits: one budget for all workers together. */
  readonly limits: RateLimits;
  /** Most jobs kept in Redis at once (waiting, active, and finished but not yet collected). */
  readonly window: number;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  readonly requestMode: RequestMode;
  readonly reask: boolean;
  /** Absolute path of the ECT reference snapshot on shared storage. */
  readonly referencePath: string | null;
  /** What each worker runs beside its reader (see ScaleConfig); default: the offline reader and crop re-asks, no single-witness acceptance. */
  readonly witnesses?: ScaleConfig["witnesses"];
  readonly waitForQuota: boolean;
  readonly retryFailed?: boolean;
  /** Most requests in flight across the fleet (--workers); null: no cap. */
  readonly maxInFlight?: number | null;
  /** Requests this run may send, fleet-wide (--max-requests); null: no budget. */
  readonly maxRequests?: number | null;
  /** USD this run may spend, fleet-wide (--max-cost); null: no budget. */
  readonly maxCostUsd?: number | null;
  /** The shared limiter's windows are this much longer than the provider's; see SharedLimiter. */
  readonly guardMs?: number;
  readonly progressIntervalMs?: number;
  readonly pollMs?: number;
}

export interface CoordinatorDeps {
  readonly store: Store;
  readonly location: QueueLocation;
  /** Discovery one folder at a time (ingest's discoverByFolder). */
  readonly discover: (inputs: readonly string[], signal: AbortSignal) => AsyncIterable<Discovery>;
  /** After each result is committed to the store (the CLI appends it to results.jsonl). */
  readonly onResult?: (result: FormResult) => void;
  /** Notices that are not batch events (a worker stopped, lost jobs re-enqueued). */
  readonly log?: (line: string) => void;
  readonly clock?: Clock;
}

export const DEFAULT_WINDOW = 1_000;
/** A worker whose heartbeat is older than this is not counted as alive. */
const WORKER_STALE_MS = 15_000;
const COLLECT_BATCH = 500;

/**
 * The coordinator of a scaled-out run. Same contract as runBatch (the same store, events and
 * summary), but documents are read by `ballot-ocr worker` processes through a BullMQ queue:
 * discover and record → publish the configuration and the shared limiter's limits → keep a bounded window
 * of jobs in Redis (jobId = content hash) → collect results into the store as they finish.
 */
export async function runCoordinator(
  options: CoordinatorOptions,
  deps: CoordinatorDeps,
  signal: AbortSignal,
  onEvent: (event: BatchEvent) => void,
): Promise<BatchSummary> {
  const clock = deps.clock ?? systemClock;
  const { store, location } = deps;
  const log = deps.log ?? (() => {});
  const emit = safeEmitter(onEvent);
  const startedAt = clock.now();

  // 1. Discovery runs alongside the run, as a local run's does (batch/discovery-feed.ts): only ids are
  // kept; documents are read back from the store when their job is enqueued.
  const feed = new DiscoveryFeed({
    store,
    retryFailed: options.retryFailed === true,
    startedAt,
    emit,
    ...(deps.onResult ? { onResult: deps.onResult } : {}),
  });
  const { tally } = feed;
  const discovery = feed.record(deps.discover(options.inputs, signal), () => {}, signal);

  // 2. Publish the configuration and the shared limiter's limits and budgets.
  const queue = new Queue<JobData>(location.queueName, { connection: connectionOptions(location) });
  queue.on("error", (error) => log(`redis: ${error.message}`));
  const keys = scaleKeys((type) => queue.toKey(type));
  const client = openRedis(location);
  client.on("error", () => {});
  const shared = new SharedLimiter(
    client,
    sharedLimiterKeys((type) => queue.toKey(type)),
  );
  const guardMs = options.guardMs ?? DEFAULT_GUARD_MS;
  const config: ScaleConfig = {
    version: 2,
    limits: { rps: options.limits.rps, rpm: options.limits.rpm, rpd: options.limits.rpd },
    maxInFlight: options.maxInFlight ?? null,
    guardMs,
    requestMode: options.requestMode,
    reask: options.reask,
    maxAttempts: options.retry.maxAttempts,
    baseDelayMs: options.retry.baseDelayMs,
    maxDelayMs: options.retry.maxDelayMs,
    timeoutMs: options.timeoutMs,
    referencePath: options.referencePath,
    witnesses: options.witnesses ?? DEFAULT_FLEET_WITNESSES,
    publishedAt: new Date(clock.now()).toISOString(),
  };
  const usage = store.usageTotals();
  let requests = 0;
  const publish = async () => {
    // Requests already made today (from this store) count against --rpd even if Redis forgot them;
    // requests of this run already collected count against --max-requests after a Redis restart.
    await shared.publish(
      {
        limits: options.limits,
        maxInFlight: options.maxInFlight ?? null,
        maxRequests: options.maxRequests ?? null,
        maxCostUsd: options.maxCostUsd ?? null,
        guardMs,
      },
      {
        todayCount: store.countRequestsSince(utcDayStart(clock.now())),
        costBefore: usage.costUsd,
        costedBefore: usage.costedRequests,
        sentThisRun: requests,
      },
    );
    await client.set(keys.config, JSON.stringify(config));
    // BullMQ's own limiter is not used (a fleet from an older version may have left one), and a
    // queue paused by a budget stop takes jobs again.
    await queue.removeGlobalRateLimit();
    await queue.resume();
  };
  // 3. The window: every job of this batch now in Redis, whatever its state.
  const inFlight = new Set<string>();
  const startUp = async () => {
    await publish();
    await client.del(keys.fatal);
    // Forget workers silent for an hour (killed machines), so `status` lists the fleet as it is.
    for (const [name, text] of Object.entries(await client.hgetall(keys.workers))) {
      const beat = parseJsonWith(WorkerHeartbeatSchema, text);
      if (!beat || clock.now() - beat.lastSeen > 3_600_000) await client.hdel(keys.workers, name);
    }
    const existing = await queue.getJobs(
      ["waiting", "active", "delayed", "prioritized", "waiting-children", "paused" as "waiting"],
      0,
      -1,
      true,
    );
    for (const job of existing) if (job.id !== undefined) inFlight.add(job.id);
  };

  let retries = 0;
  let costUsd = 0;
  let pauses = 0;
  let active = 0;
  let pauseUntil = 0;
  let quotaResetAt: number | null = null;
  let fatalMessage: string | null = null;
  let budgetHit: "requests" | "cost" | null = null;
  const reportedFatal = new Set<string>();
  const foreignIds = new Set<string>();
  const snapshot = (): ProgressSnapshot =>
    tally.snapshot(clock.now(), { inFlight: active, requests, retries, rateLimitPauses: pauses, costUsd });

  const drainAttempts = async () => {
    for (;;) {
      const lines = await client.lpop(keys.attempts, 1_000);
      if (!lines || lines.length === 0) return;
      for (const line of lines) {
        const attempt = parseAttempt(line);
        if (!attempt) continue;
        store.recordAttempt(attempt);
        requests++;
        if (attempt.outcome === "transient" || attempt.outcome === "invalid_output") retries++;
        costUsd += attempt.costUsd ?? 0;
      }
      if (lines.length < 1_000) return;
    }
  };

  /** Finished jobs → the store (once per document), then out of Redis. */
  const collect = async (): Promise<number> => {
    let collected = 0;
    for (const state of ["completed", "failed"] as const) {
      for (;;) {
        const jobs = await queue.getJobs([state], 0, COLLECT_BATCH - 1, true);
        if (jobs.length === 0) break;
        for (const job of jobs) {
          const id = job.id;
          if (id === undefined) continue;
          const doc = store.getDocument(id);
          if (!doc) {
            if (!foreignIds.has(id)) log(`job ${id} is not a document of this batch's store; left in the queue`);
            foreignIds.add(id);
            continue;
          }
          if (doc.status === "pending") {
            let result: FormResult;
            if (state === "completed") {
              const parsed = JobResultSchema.safeParse(job.returnvalue);
              result = parsed.success
                ? parsed.data.result
                : failedResult(doc, { code: "invalid_worker_result", message: "a worker returned a result that does not validate" });
            } else {
              result = failedResult(doc, { code: "worker_error", message: job.failedReason || "the job failed on a worker" });
            }
            tally.record(result, clock.now());
          }
          inFlight.delete(id);
          collected++;
        }
        await Promise.all(jobs.filter((job) => job.id !== undefined && !foreignIds.has(job.id)).map((job) => job.remove().catch(() => {})));
        if (jobs.length < COLLECT_BATCH || jobs.every((job) => job.id !== undefined && foreignIds.has(job.id))) break;
      }
    }
    return collected;
  };

  /** Jobs that vanished from Redis (a restart without persistence) go back in the queue. */
  const requeue: string[] = [];
  /** Workers send nothing while the limiter has no settings, so this is checked every pass. */
  const republishIfLost = async () => {
    if ((await client.exists(keys.config)) === 0) {
      log("Redis lost its state (restarted without persistence?): publishing the configuration and limiter again");
      await publish();
    }
  };
  const reconcile = async () => {
    const ids = [...inFlight];
    if (ids.length === 0) return;
    const pipeline = client.pipeline();
    for (const id of ids) pipeline.exists(queue.toKey(id));
    const answers = (await pipeline.exec()) ?? [];
    let lost = 0;
    ids.forEach((id, i) => {
      const exists = answers[i]?.[1];
      if (exists === 0 && store.getDocument(id)?.status === "pending") {
        inFlight.delete(id);
        requeue.push(id);
        lost++;
      }
    });
    if (lost > 0) log(`${lost} jobs were missing from Redis (restarted without persistence?); enqueued again`);
  };

  let cursor = 0;
  const topUp = async () => {
    const adding: { name: string; data: JobData; opts: object }[] = [];
    const take = (id: string) => {
      if (inFlight.has(id)) return;
      const doc = store.getDocument(id);
      if (doc?.status !== "pending" || doc.container === "unknown") return;
      adding.push({
        name: READ_JOB,
        data: {
          doc: {
            id: doc.id,
            container: doc.container,
            sources: [...doc.sources],
            primaryPath: doc.primaryPath,
            pathMetadata: doc.pathMetadata ?? EMPTY_PATH_METADATA,
          },
          readPaths: doc.sources.map((source) => resolve(source.path)),
        },
        opts: {
          jobId: id,
          attempts: options.retry.maxAttempts,
          backoff: { type: ENGINE_BACKOFF },
          removeOnComplete: false,
          removeOnFail: false,
        },
      });
      inFlight.add(id);
    };
    while (requeue.length > 0 && inFlight.size < options.window) take(requeue.shift() ?? "");
    while (inFlight.size < options.window && cursor < feed.length) take(feed.at(cursor++) ?? "");
    if (adding.length === 0) return;
    feed.announce();
    await queue.addBulk(adding as Parameters<typeof queue.addBulk>[0]);
  };

  const readNotices = async () => {
    const [pauseText, quotaText, fatalMap, beats] = await Promise.all([
      client.get(keys.pause),
      client.get(keys.quota),
      client.hgetall(keys.fatal),
      client.hgetall(keys.workers),
    ]);
    const pause = parseJsonWith(PauseNoticeSchema, pauseText);
    const now = clock.now();
    if (pause && pause.until > pauseUntil + 50) {
      pauses++;
      pauseUntil = pause.until;
      emit({
        type: "rate_limited",
        scope: pause.scope === "minute" || pause.scope === "day" ? pause.scope : "request",
        pauseMs: Math.max(0, pause.until - now),
        until: new Date(pause.until).toISOString(),
      });
    } else if (!pause && pauseUntil > 0 && now >= pauseUntil) {
      pauseUntil = 0;
      emit({ type: "resumed" });
    }
    const quota = parseJsonWith(QuotaNoticeSchema, quotaText);
    if (quota && quota.resetAt !== quotaResetAt) {
      quotaResetAt = quota.resetAt;
      emit({ type: "quota_exhausted", resetAt: new Date(quota.resetAt).toISOString() });
    } else if (!quota && quotaResetAt !== null) {
      quotaResetAt = null;
      emit({ type: "resumed" });
    }
    for (const [worker, message] of Object.entries(fatalMap ?? {})) {
      if (reportedFatal.has(worker)) continue;
      reportedFatal.add(worker);
      log(`worker ${worker} stopped: ${message}`);
    }
    let alive = 0;
    for (const text of Object.values(beats ?? {})) {
      const beat = parseJsonWith(WorkerHeartbeatSchema, text);
      if (beat && now - beat.lastSeen < WORKER_STALE_MS && !(beat.name in (fatalMap ?? {}))) alive++;
    }
    const firstFatal = Object.values(fatalMap ?? {})[0];
    fatalMessage = firstFatal !== undefined && alive === 0 ? `every worker stopped: ${firstFatal}` : null;
    if (budgetHit === null && (options.maxRequests != null || options.maxCostUsd != null)) budgetHit = (await shared.state()).budgetHit;
  };

  /** One pass: results in, notices read, the window topped up. Returns why the run ends, or null. */
  let lastProgress = 0;
  let lastReconcile = clock.now();
  const progressEvery = options.progressIntervalMs ?? 1_000;
  const step = async (): Promise<RunEnd | "done" | null> => {
    await republishIfLost();
    await drainAttempts();
    await collect();
    await readNotices();
    if (signal.aborted) return "cancelled";
    if (feed.failure) throw feed.failure.error;
    if (quotaResetAt !== null && !options.waitForQuota) return "quota";
    if (fatalMessage !== null) return "fatal";
    if (budgetHit !== null) {
      // No new job starts (the queue is paused); requests already sent finish and are collected.
      await queue.pause();
      const counts = await queue.getJobCounts("active");
      if ((counts["active"] ?? 0) === 0) {
        // A job may have finished after this pass collected: take it in before stopping.
        await collect();
        return "budget";
      }
    }
    if (clock.now() - lastReconcile > 5_000) {
      lastReconcile = clock.now();
      await reconcile();
    }
    if (budgetHit === null) await topUp();
    if (feed.complete && cursor >= feed.length && inFlight.size === 0 && requeue.length === 0) return "done";
    if (feed.announced && clock.now() - lastProgress >= progressEvery) {
      lastProgress = clock.now();
      active = (await queue.getJobCounts("active")).active ?? 0;
      emit({ type: "progress", ...snapshot() });
    }
    return null;
  };

  // 4. Run until every document of the batch is collected, or a stop. Every Redis call gives up on
  // the stop signal, so Ctrl-C or SIGTERM ends the run at once even while Redis is unreachable.
  const pollMs = options.pollMs ?? 200;
  let end: RunEnd | null = null;
  const stoppedAs = (error: unknown): "cancelled" => {
    if (error instanceof Stopped) return "cancelled";
    throw error;
  };
  try {
    if ((await untilStopped(startUp(), signal).then(() => null, stoppedAs)) === "cancelled") end = "cancelled";
    while (end === null) {
      const outcome = await untilStopped(step(), signal).catch(stoppedAs);
      if (outcome === "done") break;
      if (outcome !== null) {
        end = outcome;
        break;
      }
      await sleep(clock, pollMs, signal);
    }
    if (end !== "cancelled") await drainAttempts();
    // A stop (budget, quota) lets discovery finish, so that the store knows every document and the
    // counts are the batch's; on a cancel it has already stopped.
    await discovery;
    feed.announce();
  } finally {
    // Closing waits for Redis; when it is down, give it a moment and then drop the connections.
    await Promise.race([queue.close().catch(() => {}), sleep(clock, 1_000)]);
    await queue.disconnect().catch(() => {});
    client.disconnect();
  }

  const counts = tally.counts();
  const progress = snapshot();
  const stop: RunStop | null =
    end === "cancelled"
      ? { kind: "cancelled" }
      : end === "quota"
        ? {
            kind: "quota",
            resetAt: quotaResetAt ?? 0,
            message: `the daily request quota is used up; it resets at ${new Date(quotaResetAt ?? 0).toISOString()}`,
          }
        : end === "fatal"
          ? { kind: "fatal", message: fatalMessage ?? "every worker stopped" }
          : end === "budget"
            ? {
                kind: "budget",
                message:
                  budgetHit === "cost"
                    ? `the cost budget (--max-cost ${options.maxCostUsd}) would be exceeded`
                    : `the request budget (--max-requests ${options.maxRequests}) is reached`,
              }
            : null;
  const conclusion = concludeRun(stop, counts, tally.total);
  const message = end === "cancelled" ? `${conclusion.message} (${inFlight.size} still queued for the workers)` : conclusion.message;
  emit({ type: "run_finished", end: conclusion.end, message, progress });
  return {
    end: conclusion.end,
    message,
    progress,
    quotaResetAt: conclusion.quotaResetAt,
    counts,
    rejected: feed.rejected,
    duplicates: feed.duplicates,
  };
}

/** The run was stopped (Ctrl-C, SIGTERM) while waiting for Redis. */
class Stopped extends Error {}

/** The promise's value, or a Stopped rejection as soon as the signal fires (the promise runs on unobserved). */
function untilStopped<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return untilAborted(promise, signal, () => {
    throw new Stopped("stopped");
  });
}
