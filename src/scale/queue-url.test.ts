import { describe, expect, it } from "vitest";
import { connectionOptions, DEFAULT_QUEUE_NAME, parseQueueUrl } from "./queue-url.js";

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

  it("rejects what is not a Redis URL", () => {
    expect(parseQueueUrl("127.0.0.1:6379").ok).toBe(false);
    expect(parseQueueUrl("http://127.0.0.1:6379").ok).toBe(false);
    expect(parseQueueUrl("redis://h:1/x").ok).toBe(false);
    expect(parseQueueUrl("redis://h:1?queue=a:b").ok).toBe(false);
  });
});
