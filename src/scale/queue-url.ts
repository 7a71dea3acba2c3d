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
  /** The URL without its password, for messages. */
  readonly display: string;
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

/**
 * Parses `redis://[user:pass@]HOST:PORT[/DB][?queue=NAME]` (or `rediss://` for TLS). The queue
 * name travels in the URL so the coordinator, the workers and `status` name it the same way.
 */
export function parseQueueUrl(text: string): Result<QueueLocation, string> {
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
  const shown = new URL(url.href);
  if (shown.password) shown.password = "***";
  return ok({
    host,
    port,
    db,
    username: url.username === "" ? null : decodeURIComponent(url.username),
    password: url.password === "" ? null : decodeURIComponent(url.password),
    tls: url.protocol === "rediss:",
    queueName,
    display: shown.href,
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
