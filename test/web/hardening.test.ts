import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { aboveCeilings } from "../../src/web/routes-runs.js";
import { makeResult, multipartBody, pngBytes, startTestServer, TEST_DEFAULTS, type TestServer } from "./helpers.js";
import { hugePagePdf } from "./hostile-files.js";

const HOST = { host: "127.0.0.1" };
const JSON_HEADERS = { ...HOST, "content-type": "application/json" };
const REPO = path.resolve(import.meta.dirname, "../..");

let current: TestServer | null = null;

afterEach(async () => {
  await current?.cleanup();
  current = null;
});

async function start(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  current = await startTestServer(options);
  return current;
}

function call(t: TestServer, args: InjectOptions): Promise<LightMyRequestResponse> {
  return t.server.app.inject(args);
}

async function upload(t: TestServer, files: { path: string; data: Buffer }[], batch?: string) {
  const body = multipartBody(files);
  const url = batch ? `/api/uploads?batch=${batch}` : "/api/uploads";
  return call(t, { method: "POST", url, payload: body.payload, headers: body.headers });
}

/** Puts a file in the uploads folder and a stored result that points at it. */
async function storeDocument(t: TestServer, name: string, bytes: Buffer): Promise<string> {
  const file = path.join(t.outDir, "uploads", "b20260101000000-abcdef", name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
  const sha = createHash("sha256").update(bytes).digest("hex");
  t.store.upsertDocument({
    id: sha,
    primaryPath: file,
    container: "pdf",
    sources: [{ path: file, sha256: sha, bytes: bytes.length }],
    pathMetadata: null,
  });
  t.store.saveResult(makeResult(file, sha, 1));
  return sha;
}

describe("hostile files in the document view", () => {
  it("renders a 10000 pt PDF page off the event loop, once, at a bounded size", async () => {
    const t = await start();
    const pdf = hugePagePdf();
    expect(pdf.length).toBeLessThan(500);
    const id = await storeDocument(t, "huge.pdf", pdf);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const views = await Promise.all(
      Array.from({ length: 20 }, () => call(t, { method: "GET", url: `/api/documents/${id}/pages/1`, headers: HOST })),
    );
    delay.disable();
    for (const view of views) {
      expect(view.statusCode).toBe(200);
      expect(view.headers["content-type"]).toBe("image/jpeg");
    }
    // One shared render: every answer is the same image.
    expect(new Set(views.map((v) => v.rawPayload.toString("base64"))).size).toBe(1);
    // The old renderer held the loop for seconds (8.4 s measured); a worker thread holds it for none of that.
    expect(delay.max / 1e6).toBeLessThan(1000);
  });

  it("refuses page numbers the document does not have, without rendering", async () => {
    const t = await start();
    const id = await storeDocument(t, "huge.pdf", hugePagePdf());
    for (const page of [2, 999, 5000]) {
      const response = await call(t, { method: "GET", url: `/api/documents/${id}/pages/${page}`, headers: HOST });
      expect(response.statusCode).toBe(404);
    }
  });
});

describe("cross-site requests", () => {
  it("refuses cross-site GETs of document data, page images and exports; lets a link open the page", async () => {
    const t = await start();
    const id = await storeDocument(t, "a.pdf", hugePagePdf(600));
    const cross = { ...HOST, "sec-fetch-site": "cross-site" };
    for (const url of [
      `/api/documents/${id}/pages/1`,
      `/api/documents/${id}`,
      "/api/documents",
      "/api/report?name=votes.csv",
      "/api/config",
    ]) {
      const response = await call(t, { method: "GET", url, headers: { ...cross, "sec-fetch-mode": "no-cors", "sec-fetch-dest": "image" } });
      expect(response.statusCode, url).toBe(403);
    }
    const fromOrigin = await call(t, {
      method: "GET",
      url: `/api/documents/${id}/pages/1`,
      headers: { ...HOST, origin: "http://evil.example" },
    });
    expect(fromOrigin.statusCode).toBe(403);
    const link = await call(t, {
      method: "GET",
      url: "/",
      headers: { ...cross, "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" },
    });
    expect(link.statusCode).toBe(200);
    const framed = await call(t, {
      method: "GET",
      url: "/",
      headers: { ...cross, "sec-fetch-mode": "navigate", "sec-fetch-dest": "iframe" },
    });
    expect(framed.statusCode).toBe(403);
    const own = await call(t, {
      method: "GET",
      url: `/api/documents/${id}/pages/1`,
      headers: { ...HOST, "sec-fetch-site": "same-origin" },
    });
    expect(own.statusCode).toBe(200);
  });

  it("checks the origin of a state change even when it carries a Bearer header", async () => {
    const t = await start();
    const response = await call(t, {
      method: "POST",
      url: "/api/run/cancel",
      headers: { ...HOST, authorization: "Bearer anything", origin: "http://evil.example" },
    });
    expect(response.statusCode).toBe(403);
  });
});

describe("upload edge cases", () => {
  it("refuses a file whose folder is another file's name, stores the next one, and leaves no temp files", async () => {
    const t = await start();
    const pdf = hugePagePdf(600);
    const response = await upload(t, [
      { path: "c.pdf", data: pdf },
      { path: "c.pdf/d.pdf", data: Buffer.concat([pdf, Buffer.alloc(500_000, 0x20)]) },
      { path: "e.pdf", data: Buffer.concat([pdf, Buffer.from("%e")]) },
    ]);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.accepted.map((f: { path: string }) => f.path)).toEqual(["c.pdf", "e.pdf"]);
    expect(body.refused).toHaveLength(1);
    expect(body.refused[0].path).toBe("c.pdf/d.pdf");
    expect(body.refused[0].reason).toMatch(/folder/);
    expect(await readdir(path.join(t.outDir, "uploads", ".incoming"))).toEqual([]);
  });

  it("cleans temp files a previous server left in uploads/.incoming", async () => {
    const outDir = await mkdtemp(path.join(tmpdir(), "ballot-web-"));
    const stale = path.join(outDir, "uploads", ".incoming", "0123456789abcdef01234567");
    await mkdir(path.dirname(stale), { recursive: true });
    await writeFile(stale, Buffer.alloc(500_000));
    await start({ outDir });
    expect(existsSync(stale)).toBe(false);
  });

  it("enforces the batch's file and byte limits across parallel uploads", async () => {
    const t = await start({
      uploadLimits: { maxFileBytes: 5 * 2 ** 20, maxBatchBytes: 2 * 2 ** 20, maxBatchFiles: 3, maxFilesPerRequest: 10 },
    });
    const first = (await upload(t, [{ path: "0.png", data: await pngBytes(0) }])).json();
    const big = async (i: number) => Buffer.concat([await pngBytes(i), Buffer.alloc(900_000, i)]);
    const files = await Promise.all(Array.from({ length: 6 }, (_, i) => big(i + 1)));
    await Promise.all(files.map((data, i) => upload(t, [{ path: `p${i}.png`, data }], first.batch)));
    const info = (await call(t, { method: "GET", url: `/api/uploads/${first.batch}`, headers: HOST })).json();
    expect(info.batch.files).toBeLessThanOrEqual(3);
    expect(info.batch.bytes).toBeLessThanOrEqual(2 * 2 ** 20);
    expect(info.files.length).toBe(info.batch.files);
  });

  it("limits the batches and the bytes a server holds", async () => {
    const t = await start({
      uploadLimits: {
        maxFileBytes: 2 ** 20,
        maxBatchBytes: 2 ** 20,
        maxBatchFiles: 10,
        maxFilesPerRequest: 10,
        maxBatches: 2,
        maxTotalBytes: 2 ** 20,
      },
    });
    const a = await upload(t, [{ path: "a.png", data: Buffer.concat([await pngBytes(1), Buffer.alloc(700_000)]) }]);
    expect(a.statusCode).toBe(200);
    const b = await upload(t, [{ path: "b.png", data: Buffer.concat([await pngBytes(2), Buffer.alloc(700_000)]) }]);
    expect(b.statusCode).toBe(422);
    expect(b.json().refused[0].reason).toMatch(/server's uploads are at their limit/);
    const c = await upload(t, [{ path: "c.png", data: await pngBytes(3) }]);
    expect(c.statusCode).toBe(507);
    expect(c.json().error).toMatch(/limit 2/);
  });
});

describe("the server's limits are ceilings", () => {
  it("refuses a run that asks for more than serve allows, and accepts less", async () => {
    const t = await start({ defaults: { ...TEST_DEFAULTS, ceilings: { rps: 2, maxCostUsd: 1 }, limits: { rps: 2, maxCostUsd: 1 } } });
    const batch = (await upload(t, [{ path: "a.png", data: await pngBytes(1) }])).json().batch;
    const raised = await call(t, {
      method: "POST",
      url: "/api/runs",
      headers: JSON_HEADERS,
      payload: { batch, limits: { rps: 100_000, maxCostUsd: 1e12 } },
    });
    expect(raised.statusCode).toBe(400);
    expect(raised.json().error).toMatch(/above this server's limit of 2/);
    const lowered = await call(t, {
      method: "POST",
      url: "/api/runs",
      headers: JSON_HEADERS,
      payload: { batch, limits: { rps: 1, maxCostUsd: 0.5 } },
    });
    expect(lowered.statusCode).toBe(202);
    await t.server.runs.settled();
  });

  it("leaves limits serve did not set to the page", () => {
    expect(aboveCeilings({ rpm: 1000 }, { rps: 2 })).toBeNull();
    expect(aboveCeilings({ workers: 9 }, { workers: 8 })).toMatch(/--workers/);
  });
});

describe("access tokens", () => {
  it("lets a token in the address win over an old cookie, and replaces the cookie", async () => {
    const t = await start({ token: "tok-new-1234567890" });
    const remote = { host: "192.168.1.5:8080", cookie: "ballot_ocr_token=tok-old-0000000000" };
    const response = await call(t, { method: "GET", url: "/?token=tok-new-1234567890", headers: remote });
    expect(response.statusCode).toBe(303);
    expect(String(response.headers["set-cookie"])).toContain("ballot_ocr_token=tok-new-1234567890");
    const api = await call(t, { method: "GET", url: "/api/config?token=tok-new-1234567890", headers: remote });
    expect(api.statusCode).toBe(200);
  });

  it("takes the token from BALLOT_OCR_TOKEN, so it need not show in ps", async () => {
    const outDir = await mkdtemp(path.join(tmpdir(), "ballot-serve-"));
    const token = "env-token-abcdefghijklmnop";
    const child = spawn(
      process.execPath,
      [path.join(REPO, "bin/ballot-ocr.js"), "serve", "--host", "127.0.0.2", "--port", "0", "--out", outDir],
      {
        env: { ...process.env, BALLOT_OCR_TOKEN: token, OPENROUTER_API_KEY: "", BALLOT_OCR_API_KEY: "" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    try {
      let out = "";
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 60_000);
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes("Press Ctrl-C")) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once("exit", (code) => reject(new Error(`serve exited ${code}: ${out}`)));
      });
      expect(out).toContain(`?token=${token}`);
      const url = /http:\/\/\S+/.exec(out)?.[0] ?? "";
      const base = new URL(url);
      const refused = await fetch(`${base.origin}/api/config`);
      expect(refused.status).toBe(401);
      const allowed = await fetch(`${base.origin}/api/config`, { headers: { authorization: `Bearer ${token}` } });
      expect(allowed.status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
  });
});

describe("exports downloaded from the web", () => {
  it("name files by their upload path, never by the server's own folders", async () => {
    const t = await start();
    const batch = (await upload(t, [{ path: "แพร่/เขต 1/หน่วย 1.png", data: await pngBytes(1) }])).json().batch;
    await call(t, { method: "POST", url: "/api/runs", headers: JSON_HEADERS, payload: { batch } });
    await t.server.runs.settled();
    const listed = (await call(t, { method: "GET", url: "/api/reports", headers: HOST })).json();
    const names: string[] = listed.files.map((f: { name: string }) => f.name);
    for (const name of names.filter((n) => n.endsWith(".csv") || n.endsWith(".jsonl") || n.endsWith(".md"))) {
      const file = await call(t, { method: "GET", url: `/api/report?name=${encodeURIComponent(name)}`, headers: HOST });
      expect(file.statusCode).toBe(200);
      expect(file.body, name).not.toContain(t.outDir);
    }
    const votes = await call(t, { method: "GET", url: "/api/report?name=votes.csv", headers: HOST });
    expect(votes.body).toContain(`${batch}/แพร่/เขต 1/หน่วย 1.png`);
  });
});
