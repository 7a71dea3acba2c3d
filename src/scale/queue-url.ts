import { err, ok, type Result } from "../basics/result.js";
import { Redis } from "ioredis";

/** Where the scale-out queue lives: a Redis server and a BullMQ queue name on it. */
export interface QueueLocation {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username: string | null;
  readonly password: string | null;
  readonly tls: boolean;
  /** BullMQ queue name; several batches can share one Redis under different names. */
  readonly queueName: string;
  /** The URL without credentials: for messages, the state store and the "Resume with:" line. */
  readonly display: string;
  /** True when the URL carried a user or password (they are never stored or printed). */
  readonly hadCredentials: boolean;
}

export const DEFAULT_QUEUE_NAME = "ballot-ocr";

/** ioredis options for BullMQ: blocking commands need maxRetriesPerRequest null. */
export interface RedisConnectionOptions {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
  maxRetriesPerRequest: null;
}

/** Where the Redis credentials come from when the URL carries none (the URL is stored without them). */
export const REDIS_PASSWORD_ENV = "BALLOT_OCR_REDIS_PASSWORD";
export const REDIS_USERNAME_ENV = "BALLOT_OCR_REDIS_USERNAME";

/**
 * Parses `redis://[user:pass@]HOST:PORT[/DB][?queue=NAME]` (or `rediss://` for TLS). The queue
 * name travels in the URL so the coordinator, the workers and `status` name it the same way.
 * Credentials not in the URL come from BALLOT_OCR_REDIS_USERNAME / BALLOT_OCR_REDIS_PASSWORD.
 */
export function parseQueueUrl(text: string, env: NodeJS.ProcessEnv = {}): Result<QueueLocation, string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return err(`--queue must be a Redis URL like redis://127.0.0.1:6379, got "${text}"`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    return err(`--queue must start with redis:// or rediss://, got "${text}"`);
  }
  if (url.hostname === "") return err(`--queue has no host: "${text}"`);
  const port = url.port === "" ? 6379 : Number(url.port);
  const dbText = url.pathname.replace(/^\//, "");
  const db = dbText === "" ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) return err(`--queue: the database after the port must be a number, got "${dbText}"`);
  const queueName = url.searchParams.get("queue") ?? DEFAULT_QUEUE_NAME;
  if (!/^[\w.-]+$/.test(queueName)) return err(`--queue: the queue name may use letters, digits, "_", "." and "-", got "${queueName}"`);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const username = url.username === "" ? env[REDIS_USERNAME_ENV] || null : decodeURIComponent(url.username);
  const password = url.password === "" ? env[REDIS_PASSWORD_ENV] || null : decodeURIComponent(url.password);
  return ok({
    host,
    port,
    db,
    username,
    password,
    tls: url.protocol === "rediss:",
    queueName,
    display: withoutCredentials(url),
    hadCredentials: url.username !== "" || url.password !== "",
  });
}

export function connectionOptions(location: QueueLocation): RedisConnectionOptions {
  return {
    host: location.host,
    port: location.port,
    db: location.db,
    ...(location.username !== null ? { username: location.username } : {}),
    ...(location.password !== null ? { password: location.password } : {}),
    ...(location.tls ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** A plain Redis connection for the keys kept beside BullMQ's (configuration, notices, counters). */
export function openRedis(location: QueueLocation): Redis {
  return new Redis(connectionOptions(location));
}

function withoutCredentials(url: URL): string {
  const bare = new URL(url.href);
  bare.username = "";
  bare.password = "";
  return bare.href;
}

/** Any redis:// or rediss:// URL in `text` with its user and password removed. */
export function stripRedisCredentials(text: string): string {
  return text.replace(/(rediss?:\/\/)[^@/\s'"]*@/giu, "$1");
}

/**
 * The command line as it may be stored and shown: the --queue URL without credentials (they come
 * from the environment or the flag again at resume time).
 */
export function argvWithoutQueueCredentials(argv: readonly string[]): string[] {
  return argv.map((arg) => (/rediss?:\/\//iu.test(arg) ? stripRedisCredentials(arg) : arg));
}
