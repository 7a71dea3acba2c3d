import { existsSync } from "node:fs";
import path from "node:path";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { multipartBody, pngBytes, startTestServer, TEST_KEY, type TestServer } from "./helpers.js";

const HOST = { host: "127.0.0.1" };
const JSON_HEADERS = { ...HOST, "content-type": "application/json" };

let current: TestServer | null = null;
const seen: string[] = [];

afterEach(async () => {
  // The API key must never appear in anything the server sent during the test.
  for (const body of seen) expect(body).not.toContain(TEST_KEY);
  seen.length = 0;
  await current?.cleanup();
  current = null;
});

async function start(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  current = await startTestServer(options);
  return current;
}

async function call(t: TestServer, args: InjectOptions): Promise<LightMyRequestResponse> {
  const response = await t.server.app.inject(args);
  seen.push(response.body, JSON.stringify(response.headers));
  return response;
}

async function upload(t: TestServer, files: { path: string; data: Buffer }[], batch?: string) {
  const body = multipartBody(files);
  const url = batch ? `/api/uploads?batch=${batch}` : "/api/uploads";
  return call(t, { method: "POST", url, payload: body.payload, headers: body.headers });
}

async function uploadAndRun(t: TestServer) {
  const files = [
    { path: "แพร่/เขต 1/หน่วย 1.png", data: await pngBytes(1) },
    { path: "แพร่/เขต 1/หน่วย 2 misread.png", data: await pngBytes(2) },
    { path: "แพร่/เขต 1/หน่วย 3.png", data: await pngBytes(3) },
  ];
  const uploaded = (await upload(t, files)).json();
  const started = await call(t, { method: "POST", url: "/api/runs", headers: JSON_HEADERS, payload: { batch: uploaded.batch } });
  expect(started.statusCode).toBe(202);
  await t.server.runs.settled();
  return uploaded.batch as string;
}

describe("page and configuration", () => {
  it("serves the page with a CSP and the config without the key", async () => {
    const t = await start();
    const page = await call(t, { method: "GET", url: "/", headers: HOST });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(page.body).toContain("webkitdirectory");
    for (const file of ["/app.js", "/i18n.js", "/style.css"])
      expect((await call(t, { method: "GET", url: file, headers: HOST })).statusCode).toBe(200);
    const config = await call(t, { method: "GET", url: "/api/config", headers: HOST });
    expect(config.json().defaults).toMatchObject({ provider: "openrouter", keyConfigured: true });
    expect(config.body).not.toContain(TEST_KEY);
  });

  it("answers unknown routes and bad input with JSON messages, never stack traces", async () => {
    const t = await start();
    const missing = await call(t, { method: "GET", url: "/nope", headers: HOST });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: "not found" });
    const broken = await call(t, { method: "POST", url: "/api/runs", headers: JSON_HEADERS, payload: "{not json" });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error).toBeTypeOf("string");
    expect(broken.body).not.toMatch(/at .*\.(ts|js):\d+/);
  });
});

describe("uploads", () => {
  it("stores files under uploads/<batch>/<relative path>, keeping Thai folder names", async () => {
    const t = await start();
    const response = await upload(t, [
      { path: "แพร่/เขต 1/หน่วย 1.png", data: await pngBytes(1) },
      { path: "scan-no-extension", data: await pngBytes(2) },
    ]);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.refused).toEqual([]);
    expect(body.accepted.map((f: { path: string }) => f.path)).toEqual(["แพร่/เขต 1/หน่วย 1.png", "scan-no-extension.png"]);
    expect(existsSync(path.join(t.outDir, "uploads", body.batch, "แพร่", "เขต 1", "หน่วย 1.png"))).toBe(true);
    const listed = await call(t, { method: "GET", url: `/api/uploads/${body.batch}`, headers: HOST });
    expect(listed.json().files).toHaveLength(2);
    const batches = await call(t, { method: "GET", url: "/api/uploads", headers: HOST });
    expect(batches.json().batches[0]).toMatchObject({ id: body.batch, files: 2 });
  });

  it("refuses traversal, absolute and odd names, wrong types and duplicates, and keeps the rest", async () => {
    const t = await start();
    const png = await pngBytes(1);
    const response = await upload(t, [
      { path: "../escape.png", data: png },
      { path: "a/../../escape.png", data: png },
      { path: "/etc/passwd.png", data: png },
      { path: "C:/x.png", data: png },
      { path: "a\\b.png", data: png },
      { path: "nul\u0000.png", data: png },
      { path: "notes.txt", data: Buffer.from("hello, this is text") },
      { path: "fake.pdf", data: png },
      { path: "empty.png", data: Buffer.alloc(0) },
      { path: "good.png", data: png },
      { path: "good.png", data: png },
    ]);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.accepted.map((f: { path: string }) => f.path)).toEqual(["good.png"]);
    const reasons = body.refused.map((f: { reason: string }) => f.reason);
    expect(reasons).toHaveLength(10);
    expect(reasons[0]).toMatch(/'\.\.'/);
    expect(reasons[1]).toMatch(/'\.\.'/);
    expect(reasons[2]).toMatch(/absolute/);
    expect(reasons[3]).toMatch(/absolute/);
    expect(reasons[4]).toMatch(/backslash/);
    expect(reasons[5]).toMatch(/control/);
    expect(reasons[6]).toMatch(/not a PDF, PNG/);
    expect(reasons[7]).toMatch(/content is PNG but the name ends in \.pdf/);
    expect(reasons[8]).toMatch(/empty/);
    expect(reasons[9]).toMatch(/already in the batch/);
    expect(existsSync(path.join(t.outDir, "escape.png"))).toBe(false);
    expect(existsSync(path.join(t.outDir, "uploads", "escape.png"))).toBe(false);
  });

  it("refuses an oversized file and a batch over its total, and says why", async () => {
    const t = await start({ uploadLimits: { maxFileBytes: 2000, maxBatchBytes: 3000, maxBatchFiles: 3, maxFilesPerRequest: 10 } });
    const small = await pngBytes(1);
    expect(small.length).toBeLessThan(1000);
    const big = Buffer.concat([small, Buffer.alloc(5000)]);
    const first = await upload(t, [
      { path: "big.png", data: big },
      { path: "ok.png", data: small },
    ]);
    expect(first.statusCode).toBe(200);
    expect(first.json().refused[0].reason).toMatch(/larger than the limit of 2 KB/);
    const batch = first.json().batch;
    const filler = Buffer.concat([small, Buffer.alloc(1900 - small.length)]);
    const second = await upload(
      t,
      [
        { path: "fill.png", data: filler },
        { path: "over.png", data: filler },
      ],
      batch,
    );
    expect(second.json().accepted.map((f: { path: string }) => f.path)).toEqual(["fill.png"]);
    expect(second.json().refused[0].reason).toMatch(/batch is larger than the limit/);
    const third = await upload(
      t,
      [
        { path: "x.png", data: small },
        { path: "y.png", data: small },
      ],
      batch,
    );
    expect(third.json().refused.at(-1).reason).toMatch(/too many files/);
  });

  it("refuses all-bad uploads with 422, unknown batches with 404 and non-multipart bodies with 415", async () => {
    const t = await start();
    expect((await upload(t, [{ path: "x.txt", data: Buffer.from("text") }])).statusCode).toBe(422);
    expect((await upload(t, [{ path: "x.png", data: await pngBytes(1) }], "b20260101000000-abcdef")).statusCode).toBe(404);
    expect((await upload(t, [{ path: "x.png", data: await pngBytes(1) }], "../../etc")).statusCode).toBe(404);
    const plain = await call(t, { method: "POST", url: "/api/uploads", headers: JSON_HEADERS, payload: {} });
    expect(plain.statusCode).toBe(415);
  });
});

describe("runs", () => {
  it("starts a run on an uploaded batch, refuses a second one, and reports the finished state", async () => {
    const t = await start({
      runner: (store) => (dir, settings, signal, onEvent) =>
        import("./helpers.js").then((h) => h.scriptedRunner(store, { delayMs: 30 })(dir, settings, signal, onEvent)),
    });
    const batch = (await upload(t, [{ path: "a.png", data: await pngBytes(1) }])).json().batch;
    const started = await call(t, {
      method: "POST",
      url: "/api/runs",
      headers: JSON_HEADERS,
      payload: { batch, provider: "ollama", model: "qwen2.5vl:7b", limits: { workers: 2, rpm: 30 } },
    });
    expect(started.statusCode).toBe(202);
    expect(started.json().run.settings).toEqual({ provider: "ollama", model: "qwen2.5vl:7b", limits: { workers: 2, rpm: 30 } });
    const again = await call(t, { method: "POST", url: "/api/runs", headers: JSON_HEADERS, payload: { batch } });
    expect(again.statusCode).toBe(409);
    await t.server.runs.settled();
    const view = (await call(t, { method: "GET", url: "/api/run", headers: HOST })).json();
    expect(view.active).toBe(false);
    expect(view.run).toMatchObject({ phase: "finished", end: "completed", total: 1 });
    expect(view.run.documents[0].phase).toBe("verified");
  });

  it("cancels a run from the API and can resume it", async () => {
    const t = await start({
      runner: (store) => (dir, settings, signal, onEvent) =>
        import("./helpers.js").then((h) => h.scriptedRunner(store, { delayMs: 200 })(dir, settings, signal, onEvent)),
    });
    const batch = (
      await upload(t, [
        { path: "a.png", data: await pngBytes(1) },
        { path: "b.png", data: await pngBytes(2) },
      ])
    ).json().batch;
    await call(t, { method: "POST", url: "/api/runs", headers: JSON_HEADERS, payload: { batch } });
    const cancelled = await call(t, { method: "POST", url: "/api/run/cancel", headers: HOST });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json().run.phase).toBe("cancelling");
    await t.server.runs.settled();
    expect((await call(t, { method: "GET", url: "/api/run", headers: HOST })).json().run.end).toBe("cancelled");
    expect((await call(t, { method: "POST", url: "/api/run/cancel", headers: HOST })).statusCode).toBe(409);
    const resumed = await call(t, { method: "POST", url: "/api/runs", headers: JSON_HEADERS, payload: { batch } });
    expect(resumed.statusCode).toBe(202);
    await t.server.runs.settled();
    expect((await call(t, { method: "GET", url: "/api/run", headers: HOST })).json().run.end).toBe("completed");
  });

  it("validates run settings", async () => {
    const t = await start();
    const batch = (await upload(t, [{ path: "a.png", data: await pngBytes(1) }])).json().batch;
    const bad = [
      { batch: "b20260101000000-abcdef" },
      { batch, provider: "evil" },
      { batch, model: "x; rm -rf /" },
      { batch, limits: { workers: -1 } },
      { batch, baseUrl: "http://attacker.example/v1" },
    ];
    const codes = [];
    for (const payload of bad) codes.push((await call(t, { method: "POST", url: "/api/runs", headers: JSON_HEADERS, payload })).statusCode);
    expect(codes).toEqual([404, 400, 400, 400, 400]);
  });

  it("streams a snapshot first, then live events, over SSE", async () => {
    const t = await start({
      runner: (store) => (dir, settings, signal, onEvent) =>
        import("./helpers.js").then((h) => h.scriptedRunner(store, { delayMs: 20 })(dir, settings, signal, onEvent)),
    });
    const batch = (await upload(t, [{ path: "a.png", data: await pngBytes(1) }])).json().batch;
    await t.server.app.listen({ port: 0, host: "127.0.0.1" });
    const address = t.server.app.server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${port}/api/events`, { signal: controller.signal });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body!.getReader();
    let text = "";
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    };
    await readUntil("event: snapshot");
    await call(t, { method: "POST", url: "/api/runs", headers: JSON_HEADERS, payload: { batch } });
    await readUntil('"type":"document_finished"');
    expect(text.indexOf("event: snapshot")).toBeLessThan(text.indexOf("event: run"));
    expect(text).toContain("event: batch");
    seen.push(text);
    controller.abort();
    await t.server.runs.settled();
  });
});

describe("results, review and the document view", () => {
  it("lists, filters and sorts documents and orders the review queue", async () => {
    const t = await start();
    await uploadAndRun(t);
    const all = (await call(t, { method: "GET", url: "/api/documents?sort=unit&dir=desc", headers: HOST })).json();
    expect(all.total).toBe(3);
    expect(all.counts).toEqual({ verified: 2, needs_review: 1, failed: 0 });
    expect(all.rows.map((r: { unit: number }) => r.unit)).toEqual([3, 2, 1]);
    expect(all.rows[0]).toMatchObject({ province: "แพร่", constituency: 1, good: 570 });
    expect(all.rows[0].path).toMatch(/^b\d{14}-[0-9a-f]{6}\/แพร่\/เขต 1\/หน่วย 3\.png$/);
    const flagged = (await call(t, { method: "GET", url: "/api/documents?status=needs_review", headers: HOST })).json();
    expect(flagged.rows).toHaveLength(1);
    const text = (await call(t, { method: "GET", url: `/api/documents?q=${encodeURIComponent("หน่วย 1")}`, headers: HOST })).json();
    expect(text.rows).toHaveLength(1);
    expect((await call(t, { method: "GET", url: "/api/documents?sort=evil", headers: HOST })).statusCode).toBe(400);
    const review = (await call(t, { method: "GET", url: "/api/review", headers: HOST })).json();
    expect(review.rows.map((r: { path: string }) => r.path)).toEqual([flagged.rows[0].path]);
  });

  it("shows a document with its page image, and refuses unknown ids and pages", async () => {
    const t = await start();
    await uploadAndRun(t);
    const id = (await call(t, { method: "GET", url: "/api/documents?status=needs_review", headers: HOST })).json().rows[0].id;
    const doc = (await call(t, { method: "GET", url: `/api/documents/${id}`, headers: HOST })).json();
    expect(doc.result.status).toBe("needs_review");
    expect(doc.result.document.sources[0].path).not.toContain(t.outDir);
    expect(doc.pages).toEqual([{ page: 1, url: `/api/documents/${id}/pages/1` }]);
    const image = await call(t, { method: "GET", url: doc.pages[0].url, headers: HOST });
    expect(image.statusCode).toBe(200);
    expect(image.headers["content-type"]).toBe("image/jpeg");
    expect(image.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect((await call(t, { method: "GET", url: `/api/documents/${id}/pages/2`, headers: HOST })).statusCode).toBe(404);
    expect((await call(t, { method: "GET", url: `/api/documents/${"0".repeat(64)}`, headers: HOST })).statusCode).toBe(404);
    expect((await call(t, { method: "GET", url: "/api/documents/..%2F..%2Fetc", headers: HOST })).statusCode).toBe(404);
  });

  it("lists inputs that failed at discovery, with their reason", async () => {
    const t = await start();
    const id = "f".repeat(64);
    const file = path.join(t.outDir, "uploads", "b20260101000000-abcdef", "bad.pdf");
    t.store.upsertDocument({
      id,
      primaryPath: file,
      container: "unknown",
      sources: [{ path: file, sha256: id, bytes: 0 }],
      pathMetadata: null,
      failure: { code: "damaged_pdf", message: "the PDF is damaged" },
    });
    const list = (await call(t, { method: "GET", url: "/api/documents?status=failed", headers: HOST })).json();
    expect(list.rows).toHaveLength(1);
    expect(list.rows[0]).toMatchObject({ id, status: "failed", path: "b20260101000000-abcdef/bad.pdf" });
    const doc = (await call(t, { method: "GET", url: `/api/documents/${id}`, headers: HOST })).json();
    expect(doc.result.error).toEqual({ code: "damaged_pdf", message: "the PDF is damaged" });
    const review = (await call(t, { method: "GET", url: "/api/review", headers: HOST })).json();
    expect(review.rows[0].id).toBe(id);
  });

  it("never serves a page image from outside the uploads folder", async () => {
    const t = await start();
    await uploadAndRun(t);
    const id = (await call(t, { method: "GET", url: "/api/documents", headers: HOST })).json().rows[0].id;
    const stored = t.store.getResult(id);
    if (!stored?.ok) throw new Error("no result");
    t.store.saveResult({
      ...stored.value,
      document: { ...stored.value.document, sources: [{ ...stored.value.document.sources[0]!, path: "/etc/hostname" }] },
    });
    const image = await call(t, { method: "GET", url: `/api/documents/${id}/pages/1`, headers: HOST });
    expect(image.statusCode).toBe(404);
    expect(image.json().error).toMatch(/not an uploaded file|not found/);
  });

  it("corrects a value with an audit entry, re-runs the checks, approves, and exports the correction", async () => {
    const t = await start();
    await uploadAndRun(t);
    const id = (await call(t, { method: "GET", url: "/api/documents?status=needs_review", headers: HOST })).json().rows[0].id;
    const url = `/api/documents/${id}`;
    expect(
      (await call(t, { method: "POST", url: `${url}/edits`, headers: JSON_HEADERS, payload: { field: "votes.2", value: 200 } })).statusCode,
    ).toBe(400);
    expect(
      (
        await call(t, {
          method: "POST",
          url: `${url}/edits`,
          headers: JSON_HEADERS,
          payload: { field: "votes.9", value: 1, by: "Somchai" },
        })
      ).statusCode,
    ).toBe(409);
    expect(
      (
        await call(t, {
          method: "POST",
          url: `${url}/edits`,
          headers: JSON_HEADERS,
          payload: { field: "__proto__.x", value: 1, by: "Somchai" },
        })
      ).statusCode,
    ).toBe(400);
    expect((await call(t, { method: "POST", url: `${url}/approve`, headers: JSON_HEADERS, payload: { by: "Somchai" } })).statusCode).toBe(
      409,
    );

    const edit = await call(t, {
      method: "POST",
      url: `${url}/edits`,
      headers: JSON_HEADERS,
      payload: { field: "votes.2", value: 200, by: "สมชาย", note: "checked the scan" },
    });
    expect(edit.statusCode).toBe(200);
    expect(edit.json().row.status).toBe("verified");
    expect(edit.json().row.edited).toBe(true);
    const approved = await call(t, { method: "POST", url: `${url}/approve`, headers: JSON_HEADERS, payload: { by: "สมชาย" } });
    expect(approved.json().row.approvedBy).toBe("สมชาย");

    const doc = (await call(t, { method: "GET", url, headers: HOST })).json();
    expect(doc.result.votes[1]).toMatchObject({ value: 200, edit: { by: "สมชาย", previousValue: 260 } });
    expect(doc.result.review.approvedBy).toBe("สมชาย");
    expect(doc.edits[0]).toMatchObject({ field: "votes.2", oldValue: 260, newValue: 200, by: "สมชาย", note: "checked the scan" });
    expect(doc.edits[1]).toMatchObject({ field: "status", newValue: "verified", by: "สมชาย" });

    const reports = (await call(t, { method: "GET", url: "/api/reports", headers: HOST })).json();
    const names = reports.files.map((f: { name: string }) => f.name);
    expect(names).toEqual(expect.arrayContaining(["votes.csv", "results.jsonl", "summary.md", "stations.csv", "constituencies.csv"]));
    const csv = await call(t, { method: "GET", url: "/api/report?name=votes.csv", headers: HOST });
    expect(csv.headers["content-disposition"]).toContain("attachment");
    const line = csv.body.split("\n").find((l) => l.includes(id) && l.includes("สมชาย"));
    expect(line).toBeDefined();
    expect(line).toContain(",200,");
    expect((await call(t, { method: "GET", url: "/api/report?name=../../etc/passwd", headers: HOST })).statusCode).toBe(404);
    const overview = (await call(t, { method: "GET", url: "/api/overview", headers: HOST })).json();
    expect(overview.statusCounts).toMatchObject({ verified: 3 });
    expect(overview.areas[0].kinds.constituency.good).toBe(570 * 3);
  });
});

describe("access control", () => {
  it("requires the token on every request when one is set", async () => {
    const t = await start({ token: "tok-123456" });
    const remote = { host: "192.168.1.5:8080" };
    expect((await call(t, { method: "GET", url: "/", headers: remote })).statusCode).toBe(401);
    expect((await call(t, { method: "GET", url: "/api/config", headers: remote })).statusCode).toBe(401);
    expect((await call(t, { method: "GET", url: "/api/events", headers: remote })).statusCode).toBe(401);
    expect((await call(t, { method: "POST", url: "/api/uploads", headers: remote })).statusCode).toBe(401);
    expect((await call(t, { method: "GET", url: "/api/config", headers: { ...remote, authorization: "Bearer wrong" } })).statusCode).toBe(
      403,
    );
    expect(
      (await call(t, { method: "GET", url: "/api/config", headers: { ...remote, authorization: "Bearer tok-123456" } })).statusCode,
    ).toBe(200);
    const first = await call(t, { method: "GET", url: "/?token=tok-123456", headers: remote });
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe("/");
    const cookie = String(first.headers["set-cookie"]);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const withCookie = await call(t, { method: "GET", url: "/api/config", headers: { ...remote, cookie: cookie.split(";")[0]! } });
    expect(withCookie.statusCode).toBe(200);
  });

  it("refuses foreign Host headers and cross-site state changes on loopback", async () => {
    const t = await start();
    expect((await call(t, { method: "GET", url: "/", headers: { host: "evil.example" } })).statusCode).toBe(403);
    expect((await call(t, { method: "GET", url: "/", headers: { host: "localhost:8080" } })).statusCode).toBe(200);
    const crossOrigin = await call(t, {
      method: "POST",
      url: "/api/run/cancel",
      headers: { host: "127.0.0.1:8080", origin: "http://evil.example" },
    });
    expect(crossOrigin.statusCode).toBe(403);
    const crossSite = await call(t, {
      method: "POST",
      url: "/api/run/cancel",
      headers: { host: "127.0.0.1:8080", "sec-fetch-site": "cross-site" },
    });
    expect(crossSite.statusCode).toBe(403);
    const sameOrigin = await call(t, {
      method: "POST",
      url: "/api/run/cancel",
      headers: { host: "127.0.0.1:8080", origin: "http://127.0.0.1:8080" },
    });
    expect(sameOrigin.statusCode).toBe(409);
  });

  it("refuses a request without the token on a real non-loopback listener", async () => {
    const t = await start({ token: "tok-abcdef" });
    await t.server.app.listen({ port: 0, host: "0.0.0.0" });
    const address = t.server.app.server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    const refused = await fetch(`http://127.0.0.1:${port}/api/config`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: "access token required" });
    const allowed = await fetch(`http://127.0.0.1:${port}/api/config`, { headers: { authorization: "Bearer tok-abcdef" } });
    expect(allowed.status).toBe(200);
  });
});
