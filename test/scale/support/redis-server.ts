import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { atNormalPriority } from "./provider-priority.js";

/** A Redis for tests and benchmarks: BALLOT_OCR_TEST_REDIS_URL when set (.ci/run), else a private redis-server. */
export interface TestRedis {
  /** redis://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** Peak `used_memory` seen by `sampleMemory`, bytes. */
  sampleMemory(): Promise<number>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server on 127.0.0.1:port keeping its files in dir, at the ordinary priority; no RDB snapshots. */
export function spawnRedisServer(port: number, dir: string, options: { aof: boolean; extraArgs?: readonly string[] }): ChildProcess {
  const [command, commandArgs] = atNormalPriority("redis-server", [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    options.aof ? "yes" : "no",
    ...(options.aof ? ["--appendfsync", "everysec"] : []),
    "--dir",
    dir,
    ...(options.extraArgs ?? []),
  ]);
  return spawn(command, commandArgs, { stdio: "ignore" });
}

export async function startTestRedis(options: { private?: boolean; extraArgs?: readonly string[] } = {}): Promise<TestRedis> {
  const args = options.extraArgs ?? [];
  const requirepass = args.indexOf("--requirepass");
  const password = requirepass >= 0 ? args[requirepass + 1] : undefined;
  const given = process.env["BALLOT_OCR_TEST_REDIS_URL"];
  let child: ChildProcess | null = null;
  let dir: string | null = null;
  let url: string;
  if (given && !options.private) {
    url = given;
  } else {
    const port = await freePort();
    dir = mkdtempSync(join(tmpdir(), "ballot-redis-"));
    child = spawnRedisServer(port, dir, { aof: false, extraArgs: options.extraArgs ?? [] });
    url = `redis://127.0.0.1:${port}`;
  }
  const port = Number(new URL(url).port || 6379);
  const client = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: null, lazyConnect: true, ...(password ? { password } : {}) });
  client.on("error", () => {});
  for (let i = 0; ; i++) {
    try {
      await client.connect();
      await client.ping();
      break;
    } catch {
      if (i > 100) throw new Error(`redis at ${url} did not answer`);
      client.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  let peak = 0;
  return {
    url,
    port,
    async sampleMemory() {
      const info = await client.info("memory");
      const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
      peak = Math.max(peak, used);
      return used;
    },
    async stop() {
      client.disconnect();
      if (child) {
        const exited = new Promise((resolve) => child?.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
