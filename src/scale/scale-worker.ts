import { hostname } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { type Job, Queue, RateLimitError, UnrecoverableError, Worker } from "bullmq";
import { parseJsonWith } from "../basics/parse-json.js";
import { sleep, systemClock } from "../batch/clock.js";
import type { BatchEvent } from "../batch/events.js";
import { failedResult } from "../forms/failed-result.js";
import { BatchGate } from "../batch/gate.js";
import type { DocumentPipeline } from "../batch/pipeline.js";
import { describeLimits } from "../batch/rate-limiter.js";
import { backoffDelay } from "../batch/retry-policy.js";
import { createStandardPipeline } from "../batch/standard-pipeline.js";
import { closeWitnesses, describeWitnesses, witnessSources } from "../local/witness-setup.js";
import { interruptionResetAt } from "../extract/extract-document.js";
import type { GatedOutcome, ProviderGate, WitnessSource } from "../extract/types.js";
import type { ExtractionRequest, Provider } from "../providers/provider.js";
import { loadReference } from "../reference/load-reference.js";
import type { Reference } from "../reference/reference.js";
import { MemoryStore } from "../storage/memory-store.js";
import type { AttemptRecord } from "../storage/store.js";
import { FleetLimiter } from "./fleet-limiter.js";
import { createFleetNotices } from "./fleet-notices.js";
import { type JobData, JobDataSchema, type JobResult, toDiscoveredDocument } from "./job-data.js";
import { connectionOptions, openRedis, type QueueLocation } from "./queue-url.js";
import { type ScaleConfig, ScaleConfigSchema, scaleKeys, type WorkerHeartbeat } from "./scale-config.js";
import { SharedLimiter, sharedLimiterKeys } from "./shared-limiter.js";

/** Job option `backoff.type` whose delays come from the engine's retry policy. */
export const ENGINE_BACKOFF = "ballot-ocr";

export interface PathMapping {
  readonly from: string;
  readonly to: string;
}

export interface ScaleWorkerOptions {
  readonly location: QueueLocation;
  /** Jobs processed at once by this process. */
  readonly concurrency: number;
  /** The provider, built from this machine's environment (the key never travels through Redis). */
  readonly makeProvider: (config: ScaleConfig) => Provider;
  /** False for readers that cannot take a focused second look (the local reader): no re-ask. */
  readonly canReask?: boolean;
  /** Rewrites shared-storage paths for this machine's mount point (first match wins). */
  readonly pathMap?: readonly PathMapping[];
  /** Worker threads preparing pages; default: the number of cores. */
  readonly threads?: number;
  /** A job whose worker stops renewing its lock this long is recovered by another worker. */
  readonly lockDurationMs?: number;
  readonly name?: string;
  readonly log: (line: string) => void;
  /** For tests: the pipeline instead of the standard one. */
  readonly pipeline?: (config: ScaleConfig, reference: Reference | undefined) => DocumentPipeline;
}

export type WorkerEnd = { readonly kind: "closed" } | { readonly kind: "fatal"; readonly message: string };

export interface ScaleWorker {
  readonly name: string;
  /** Resolves when the worker has stopped (closed, or stopped by a batch-wide fatal error). */
  readonly ended: Promise<WorkerEnd>;
  /** Stops taking jobs, lets running ones finish, and disconnects. */
  close(): Promise<void>;
}

/** Waits for the coordinator's configuration, then takes read jobs until closed. */
export async function startScaleWorker(options: ScaleWorkerOptions, signal: AbortSignal): Promise<ScaleWorker | null> {
  const { location, log } = options;
  const connection = connectionOptions(location);
  const queue = new Queue(location.queueName, { connection });
  queue.on("error", (error) => log(`redis: ${error.message}`));
  const client = openRedis(location);
  client.on("error", () => {});
  const keys = scaleKeys((type) => queue.toKey(type));
  const name = options.name ?? `${hostname()}:${process.pid}`;

  // 1. The coordinator's configuration (limits, request mode, retries).
  let config: ScaleConfig | null = null;
  let announced = false;
  while (config === null) {
    config = parseJsonWith(ScaleConfigSchema, await client.get(keys.config).catch(() => null));
    if (config !== null) break;
    if (!announced) {
      log(`waiting for a coordinator to publish the batch configuration on ${location.display}`);
      announced = true;
    }
    if (!(await sleep(systemClock, 1_000, signal))) {
      await queue.close();
      client.disconnect();
      return null;
    }
  }
  const settled: ScaleConfig = config;

  let reference: Reference | undefined;
  if (settled.referencePath !== null) {
    const loaded = await loadReference(settled.referencePath);
    if (!loaded.ok) throw new Error(`reference ${settled.referencePath}: ${loaded.error.message}`);
    reference = loaded.value;
  }
  const provider = options.makeProvider(settled);
  const canReask = settled.reask && (options.canReask ?? true);
  // The same witnesses and verdict rule as a local run with the coordinator's flags.
  const witnesses = options.pipeline
    ? []
    : witnessSources(provider, {
        localWitness: settled.witnesses.local,
        cropReask: canReask && settled.witnesses.cropReask ? { source: `${provider.name}:${provider.model}` } : null,
      });
  const pipeline =
    options.pipeline?.(settled, reference) ??
    createStandardPipeline({
      requestMode: settled.requestMode,
      reask: canReask,
      providerName: provider.name,
      model: provider.model,
      ...(reference ? { reference } : {}),
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      witnesses,
      verdict: { acceptSingleWitness: settled.witnesses.acceptSingleWitness },
    });
  const notices = createFleetNotices(queue, client, keys, name);
  const shared = new SharedLimiter(
    client,
    sharedLimiterKeys((type) => queue.toKey(type)),
  );
  /** Settings that may change between jobs (a coordinator resumed with other retries or timeout). */
  let current: ScaleConfig = settled;
  const latch = new FirstAnswerLatch();
  const jobsController = new AbortController();
  let fatal: string | null = null;
  let budgetAnnounced = false;
  let resolveEnded: (end: WorkerEnd) => void = () => {};
  const ended = new Promise<WorkerEnd>((resolve) => {
    resolveEnded = resolve;
  });
  const stats = { done: 0, failed: 0, requests: 0, rateLimited: 0, active: 0 };
  const onGateEvent = (event: BatchEvent) => {
    if (event.type === "quota_exhausted") log(`daily quota used up; resets at ${event.resetAt}`);
  };
  const mapPath = (path: string): string => {
    for (const { from, to } of options.pathMap ?? []) {
      if (path === from || path.startsWith(from.endsWith("/") ? from : `${from}/`)) return to + path.slice(from.length);
    }
    return isAbsolute(path) ? path : resolve(path);
  };

  const processJob = async (job: Job<JobData, JobResult>): Promise<JobResult> => {
    if (fatal !== null) throw new RateLimitError();
    const parsed = JobDataSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`job ${job.id} carries data this worker cannot read`);
    const doc = toDiscoveredDocument(parsed.data.doc);
    const readable = {
      ...doc,
      sources: doc.sources.map((source, i) => ({ ...source, path: mapPath(parsed.data.readPaths[i] ?? source.path) })),
    };
    const startedAtMs = job.processedOn ?? Date.now();
    const startedAt = new Date(startedAtMs).toISOString();
    stats.active++;
    const config = current;
    const limiter = new FleetLimiter(shared, systemClock, {
      guardMs: config.guardMs,
      leaseMs: config.timeoutMs + LEASE_MARGIN_MS,
      onPause: (ms, scope) => void notices.pause(ms, scope).catch(() => {}),
      onError: (error) => log(`redis: ${String(error)}`),
    });
    // Every attempt the gate records settles its reservation (frees the in-flight lease, counts the cost).
    const store = new AttemptTap((attempt) => limiter.settle(attempt));
    try {
      const pages = await pipeline.prepare(readable, jobsController.signal);
      if (!pages.ok) return { result: failedResult(doc, pages.error, { startedAt, finishedAt: new Date().toISOString() }) };
      const gate = new BatchGate(
        {
          retry: { maxAttempts: config.maxAttempts, baseDelayMs: config.baseDelayMs, maxDelayMs: config.maxDelayMs },
          timeoutMs: config.timeoutMs,
          maxRequests: null,
          maxCostUsd: null,
          waitForQuota: false,
        },
        { provider, limiter, store, clock: systemClock, emit: onGateEvent },
      );
      const fleetGate: ProviderGate = {
        async call<T>(request: ExtractionRequest<T>, callSignal: AbortSignal): Promise<GatedOutcome<T>> {
          const outcome = await latch.run(() => {
            if (fatal !== null) throw new RateLimitError();
            return gate.call(request, callSignal);
          });
          if (limiter.budgetReached !== null) throw new BudgetReached(limiter.budgetReached);
          return outcome;
        },
      };
      let extraction: Awaited<ReturnType<DocumentPipeline["extract"]>>;
      try {
        extraction = await pipeline.extract(doc, pages.value, fleetGate, jobsController.signal);
      } catch (error) {
        if (!(error instanceof BudgetReached)) throw error;
        // Nothing of this document is kept: it goes back to the (now paused) queue, as a local run leaves it pending.
        if (!budgetAnnounced) {
          budgetAnnounced = true;
          log(`the run's ${error.which === "requests" ? "request" : "cost"} budget is reached; no further jobs are taken`);
        }
        await notices.budget(error.which).catch(() => {});
        throw new RateLimitError();
      }
      if (extraction.kind === "interrupted") {
        if (extraction.outcome === "quota") {
          await notices.quota(interruptionResetAt(extraction, Date.now()), extraction.message);
          throw new RateLimitError();
        }
        if (extraction.outcome === "fatal") {
          if (fatal === null) {
            fatal = extraction.message;
            log(`stopping: ${extraction.message}`);
            await client.hset(keys.fatal, name, extraction.message);
            setImmediate(() => void shutdown({ kind: "fatal", message: extraction.message }));
          }
          throw new RateLimitError();
        }
        throw new Error("cancelled: the worker is stopping");
      }
      const result = extraction.result;
      if (result.status === "failed") stats.failed++;
      stats.done++;
      return {
        result: {
          ...result,
          provenance: {
            ...result.provenance,
            requests: Math.max(result.provenance.requests, limiter.granted),
            attempts: Math.max(result.provenance.attempts, limiter.granted),
            startedAt: result.provenance.startedAt ?? startedAt,
            finishedAt: result.provenance.finishedAt ?? new Date().toISOString(),
          },
        },
      };
    } finally {
      limiter.close();
      stats.active--;
      const attempts = store.listAttempts();
      stats.requests += attempts.length;
      stats.rateLimited += attempts.filter((a) => a.outcome === "rate_limited").length;
      if (attempts.length > 0) {
        await client
          .rpush(keys.attempts, ...attempts.map((a) => JSON.stringify(a)))
          .catch((error: unknown) => log(`redis: ${String(error)}`));
      }
    }
  };

  const lockDuration = options.lockDurationMs ?? 30_000;
  const worker = new Worker<JobData, JobResult>(location.queueName, processJob, {
    connection,
    concurrency: options.concurrency,
    name,
    lockDuration,
    stalledInterval: Math.max(500, Math.round(lockDuration / 2)),
    maxStalledCount: 2,
    settings: {
      backoffStrategy: (attemptsMade: number) =>
        backoffDelay(attemptsMade, { maxAttempts: settled.maxAttempts, baseDelayMs: settled.baseDelayMs, maxDelayMs: settled.maxDelayMs }),
    },
  });
  worker.on("error", (error) => log(`worker: ${error.message}`));
  worker.on("failed", (job, error) => {
    if (job && error.message !== "bullmq:rateLimitExceeded") log(`job ${job.id} failed (attempt ${job.attemptsMade}): ${error.message}`);
  });

  const started = new Date().toISOString();
  const beat = async () => {
    const heartbeat: WorkerHeartbeat = {
      name,
      host: hostname(),
      pid: process.pid,
      concurrency: options.concurrency,
      provider: `${provider.name} ${provider.model}`,
      startedAt: started,
      lastSeen: Date.now(),
      done: stats.done,
      active: stats.active,
    };
    await client.hset(keys.workers, name, JSON.stringify(heartbeat));
  };
  let warnedConfig = false;
  const watchConfig = async () => {
    const next = parseJsonWith(ScaleConfigSchema, await client.get(keys.config));
    if (!next || next.publishedAt === current.publishedAt) return;
    // Limits and budgets live in the shared limiter and apply at once; retries and the timeout from the next job on.
    if (JSON.stringify(next.limits) !== JSON.stringify(current.limits))
      log(`the coordinator published new limits: ${describe(next, witnesses)}`);
    current = next;
    const readingChanged =
      next.requestMode !== settled.requestMode || next.reask !== settled.reask || next.referencePath !== settled.referencePath;
    if (readingChanged && !warnedConfig) {
      log("the coordinator changed how documents are read (request mode, re-ask or reference); restart this worker to apply it");
      warnedConfig = true;
    }
  };
  await beat().catch(() => {});
  const heartbeat = setInterval(() => void Promise.all([beat(), watchConfig()]).catch(() => {}), 2_000);
  const report = setInterval(() => {
    log(
      `${stats.done} documents done (${stats.failed} failed), ${stats.active} active, ${stats.requests} requests, ${stats.rateLimited} answered 429`,
    );
  }, 15_000);
  heartbeat.unref();
  report.unref();
  log(
    `worker ${name}: concurrency ${options.concurrency}, provider ${provider.name} ${provider.model}; limits from the coordinator: ${describe({ ...settled, reask: canReask }, witnesses)}`,
  );

  let closing: Promise<void> | null = null;
  const shutdown = (end: WorkerEnd): Promise<void> => {
    closing ??= (async () => {
      clearInterval(heartbeat);
      clearInterval(report);
      await worker.close().catch(() => {});
      jobsController.abort();
      await Promise.all([pipeline.close(), closeWitnesses(witnesses)]).catch(() => {});
      await client.hdel(keys.workers, name).catch(() => {});
      await queue.close().catch(() => {});
      client.disconnect();
      resolveEnded(end);
    })();
    return closing;
  };
  signal.addEventListener("abort", () => void shutdown({ kind: "closed" }), { once: true });
  return { name, ended, close: () => shutdown({ kind: "closed" }) };
}

function describe(config: ScaleConfig, witnesses: readonly WitnessSource[]): string {
  const inFlight = config.maxInFlight === null ? "" : `, at most ${config.maxInFlight} requests in flight`;
  return `${describeLimits(config.limits)}${inFlight} (one sliding-window limiter in Redis); ${config.requestMode} mode${config.reask ? " with re-ask" : ""}; ${describeWitnesses(witnesses, config.witnesses.acceptSingleWitness)}`;
}

/**
 * Until this worker's first answer, one request at a time: a bad key in this machine's
 * environment costs one request, not one per concurrent job (a timeout would let others go on a
 * loaded machine where even a 401 takes a while).
 */
class FirstAnswerLatch {
  private verified = false;
  private refused = false;
  private probe: Promise<void> | null = null;

  async run<T>(call: () => Promise<GatedOutcome<T>>): Promise<GatedOutcome<T>> {
    while (!this.verified && !this.refused && this.probe !== null) await this.probe;
    // This machine's configuration was refused (401, 403, unknown model): hand the job back unsent.
    if (this.refused) throw new RateLimitError();
    if (this.verified) return call();
    let release: () => void = () => {};
    this.probe = new Promise((resolve) => {
      release = resolve;
    });
    try {
      const outcome = await call();
      if (outcome.kind === "fatal" && outcome.scope === "batch") this.refused = true;
      else this.verified = true;
      return outcome;
    } finally {
      this.probe = null;
      release();
    }
  }
}

/** A request's in-flight lease outlives its timeout by this much before it counts as lost. */
const LEASE_MARGIN_MS = 10_000;

/** Thrown through the pipeline when the run's budget is reached: the job goes back unsent. */
class BudgetReached extends Error {
  constructor(readonly which: "requests" | "cost") {
    super(`the ${which} budget is reached`);
  }
}

/** The job's own attempt log; each recorded attempt is also handed on (to settle its reservation). */
class AttemptTap extends MemoryStore {
  constructor(private readonly onAttempt: (attempt: AttemptRecord) => void) {
    super();
  }

  override recordAttempt(attempt: AttemptRecord): void {
    super.recordAttempt(attempt);
    this.onAttempt(attempt);
  }
}
