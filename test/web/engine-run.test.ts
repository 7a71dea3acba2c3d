import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_KEY } from "./helpers.js";
import { type LiveSetup, startLiveSetup } from "./live-harness.js";

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else out.push(full);
  }
  return out;
}

/** The web server on the real engine and store, against the fake provider: cancel and resume. */
describe("runs on the real engine", () => {
  let setup: LiveSetup;
  let origin: string;
  // The model's reading accepted on the checks, as before witnesses: this test is about cancel and resume.
  const MODEL_ALONE = { witness: false, acceptSingleWitness: true };

  beforeAll(async () => {
    setup = await startLiveSetup({ count: 4, format: "pdf", latencyMs: 400, limits: { workers: 1 } });
    origin = new URL(setup.app.url).origin;
  });
  afterAll(async () => setup?.cleanup());

  const post = (url: string, body?: unknown) =>
    fetch(origin + url, {
      method: "POST",
      headers: { origin, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const runView = async () => ((await (await fetch(`${origin}/api/run`)).json()) as { run: Record<string, unknown> }).run;

  it("cancels a run from the API, resumes it, and finishes without reading anything twice", async () => {
    const form = new FormData();
    for (const file of await walk(setup.sourceDir)) {
      if (!file.endsWith(".pdf")) continue;
      form.append("path", path.relative(setup.sourceDir, file));
      form.append("file", new Blob([await readFile(file)]), path.basename(file));
    }
    const response = await fetch(`${origin}/api/uploads`, { method: "POST", body: form, headers: { origin } });
    const uploaded = (await response.json()) as {
      batch: string;
      accepted: unknown[];
    };
    expect(uploaded.accepted).toHaveLength(4);

    expect((await post("/api/runs", { batch: uploaded.batch, ...MODEL_ALONE })).status).toBe(202);
    // Wait for the first document to finish, then cancel.
    for (let i = 0; i < 100; i++) {
      const run = await runView();
      if (((run["progress"] as { done?: number } | null)?.done ?? 0) >= 1) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await post("/api/run/cancel")).status).toBe(200);
    await setup.app.server.runs.settled();
    const cancelled = await runView();
    expect(cancelled["end"]).toBe("cancelled");
    const doneBefore = (cancelled["progress"] as { done: number }).done;
    expect(doneBefore).toBeLessThan(4);

    expect((await post("/api/runs", { batch: uploaded.batch, ...MODEL_ALONE })).status).toBe(202);
    await setup.app.server.runs.settled();
    const resumed = await runView();
    expect(resumed["end"]).toBe("completed");
    expect(resumed["alreadyDone"]).toBeGreaterThanOrEqual(doneBefore);

    const reads = setup.fake.requests.filter((r) => r.purpose === "read" && r.status === 200);
    const perDocument = new Map<string, number>();
    for (const r of reads) perDocument.set(String(r.documentId), (perDocument.get(String(r.documentId)) ?? 0) + 1);
    expect(Math.max(...perDocument.values())).toBe(1);
    const documents = (await (await fetch(`${origin}/api/documents`)).json()) as { counts: Record<string, number> };
    expect(documents.counts).toEqual({ verified: 3, needs_review: 1, failed: 0 });
    const everything = JSON.stringify([cancelled, resumed, documents]);
    expect(everything).not.toContain(TEST_KEY);
  });
});
