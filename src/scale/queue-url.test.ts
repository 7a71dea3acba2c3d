import { describe, expect, it } from "vitest";
import { argvWithoutQueueCredentials, connectionOptions, DEFAULT_QUEUE_NAME, parseQueueUrl, stripRedisCredentials } from "./queue-url.js";

describe("parseQueueUrl", () => {
  it("reads host, port, database and queue name", () => {
    const parsed = parseQueueUrl("redis://10.0.0.5:6380/2?queue=election-69");
    expect(parsed.ok && parsed.value).toMatchObject({ host: "10.0.0.5", port: 6380, db: 2, queueName: "election-69", tls: false });
  });

  it("defaults the port, database and queue name, and hides the password", () => {
    const parsed = parseQueueUrl("redis://:s3cret@queue.local");
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value).toMatchObject({ port: 6379, db: 0, queueName: DEFAULT_QUEUE_NAME, password: "s3cret" });
    expect(parsed.value.display).not.toContain("s3cret");
    expect(connectionOptions(parsed.value)).toMatchObject({ password: "s3cret", maxRetriesPerRequest: null });
  });

  it("takes credentials from the environment when the URL has none, and never shows them", () => {
    const parsed = parseQueueUrl("redis://queue.local:6380?queue=q", {
      BALLOT_OCR_REDIS_PASSWORD: "from-env",
      BALLOT_OCR_REDIS_USERNAME: "ops",
    });
    expect(parsed.ok && parsed.value).toMatchObject({ username: "ops", password: "from-env", hadCredentials: false });
    const given = parseQueueUrl("redis://ops:s3cret@queue.local:6380?queue=q", { BALLOT_OCR_REDIS_PASSWORD: "from-env" });
    expect(given.ok && given.value).toMatchObject({
      username: "ops",
      password: "s3cret",
      hadCredentials: true,
      display: "redis://queue.local:6380?queue=q",
    });
  });

  it("strips credentials from a stored command line, whatever the quoting", () => {
    const argv = ["node", "ballot-ocr", "process", "scans", "--queue", "redis://:p%40ss@10.0.0.5:6379?queue=a", "--queue=rediss://u:x@h:1"];
    expect(argvWithoutQueueCredentials(argv)).toEqual([
      "node",
      "ballot-ocr",
      "process",
      "scans",
      "--queue",
      "redis://10.0.0.5:6379?queue=a",
      "--queue=rediss://h:1",
    ]);
    expect(stripRedisCredentials("ballot-ocr process s --queue 'redis://:s3cret@h:6379?queue=q'")).toBe(
      "ballot-ocr process s --queue 'redis://h:6379?queue=q'",
    );
  });

  it("rejects what is not a Redis URL", () => {
    expect(parseQueueUrl("127.0.0.1:6379").ok).toBe(false);
    expect(parseQueueUrl("http://127.0.0.1:6379").ok).toBe(false);
    expect(parseQueueUrl("redis://h:1/x").ok).toBe(false);
    expect(parseQueueUrl("redis://h:1?queue=a:b").ok).toBe(false);
  });
});
