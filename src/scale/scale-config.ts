import { z } from "zod";

/**
 * What the coordinator publishes in Redis for every worker: the global limits and how documents are
 * read. The limits themselves live in the shared limiter's state (src/scale/shared-limiter.ts), so
 * a change on resume reaches running workers at once. Never a key or any provider secret: workers
 * take the provider from their own environment.
 */
/** A worker's witnesses when the coordinator says nothing: as a local run's defaults. */
export const DEFAULT_FLEET_WITNESSES = { local: true, cropReask: true, acceptSingleWitness: false } as const;

export const ScaleConfigSchema = z.object({
  version: z.literal(2),
  /** Client-side limits of the whole fleet (null = none of that kind), for messages and `status`. */
  limits: z.object({ rps: z.number().nullable(), rpm: z.number().nullable(), rpd: z.number().nullable() }),
  /** Most requests in flight across the fleet (--workers), null = no cap. */
  maxInFlight: z.number().int().positive().nullable(),
  /** The shared limiter's windows are this much longer than the provider's (grant-to-provider delay). */
  guardMs: z.number().int().nonnegative(),
  requestMode: z.enum(["document", "page"]),
  reask: z.boolean(),
  maxAttempts: z.number().int().positive(),
  baseDelayMs: z.number().int().nonnegative(),
  maxDelayMs: z.number().int().nonnegative(),
  timeoutMs: z.number().int().positive(),
  /** ECT reference snapshot folder on shared storage, or null. */
  referencePath: z.string().nullable(),
  /**
   * The witnesses each worker runs beside its reader, and the verdict rule, as a local run's
   * --no-witness, --no-crop-reask and --accept-single-witness set them (absent: the defaults).
   */
  witnesses: z.object({ local: z.boolean(), cropReask: z.boolean(), acceptSingleWitness: z.boolean() }).default(DEFAULT_FLEET_WITNESSES),
  publishedAt: z.string(),
});
export type ScaleConfig = z.infer<typeof ScaleConfigSchema>;

/** Names of the extra keys kept beside BullMQ's own, under the queue's prefix. */
export interface ScaleKeys {
  readonly config: string;
  /** A rate-limit pause announced by a worker: JSON { until, scope, worker }. */
  readonly pause: string;
  /** The daily quota is used up: JSON { resetAt, message, worker }. */
  readonly quota: string;
  /** worker name → why it stopped (401, 403, unknown model…). */
  readonly fatal: string;
  /** Attempt records waiting for the coordinator's store (JSON lines). */
  readonly attempts: string;
  /** worker name → JSON heartbeat. */
  readonly workers: string;
}

export function scaleKeys(toKey: (type: string) => string): ScaleKeys {
  return {
    config: toKey("ballot:config"),
    pause: toKey("ballot:pause"),
    quota: toKey("ballot:quota"),
    fatal: toKey("ballot:fatal"),
    attempts: toKey("ballot:attempts"),
    workers: toKey("ballot:workers"),
  };
}

export const PauseNoticeSchema = z.object({ until: z.number(), scope: z.string(), worker: z.string() });
export type PauseNotice = z.infer<typeof PauseNoticeSchema>;
export const QuotaNoticeSchema = z.object({ resetAt: z.number(), message: z.string(), worker: z.string() });
export type QuotaNotice = z.infer<typeof QuotaNoticeSchema>;

export const WorkerHeartbeatSchema = z.object({
  name: z.string(),
  host: z.string(),
  pid: z.number(),
  concurrency: z.number(),
  provider: z.string(),
  startedAt: z.string(),
  lastSeen: z.number(),
  done: z.number(),
  active: z.number(),
});
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeatSchema>;
