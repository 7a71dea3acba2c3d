/**
 * A 436-byte PDF whose page is 10,000 pt square, viewed 20 times at once in the document view,
 * while /api/config is polled: how long the server takes to answer meanwhile, and the RSS after.
 * Usage: npx tsx bench/web-hostile-pdf.ts
 */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { makeResult, startTestServer } from "../test/web/helpers.js";
import { hugePagePdf } from "../test/web/hostile-files.js";

const t = await startTestServer();
try {
  const pdf = hugePagePdf();
  const file = path.join(t.outDir, "uploads", "b20260101000000-abcdef", "huge.pdf");
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, pdf);
  const id = createHash("sha256").update(pdf).digest("hex");
  t.store.upsertDocument({
    id,
    primaryPath: file,
    container: "pdf",
    sources: [{ path: file, sha256: id, bytes: pdf.length }],
    pathMetadata: null,
  });
  t.store.saveResult(makeResult(file, id, 1));
  await t.server.app.listen({ host: "127.0.0.1", port: 0 });
  const address = t.server.app.server.address();
  const base = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;

  // Warm the connection and the route, so the figures are about the renders, not the first request.
  for (let i = 0; i < 5; i++) await fetch(`${base}/api/config`).then((r) => r.arrayBuffer());
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const latencies: number[] = [];
  let viewing = true;
  const poll = (async () => {
    while (viewing) {
      const started = performance.now();
      await fetch(`${base}/api/config`).then((r) => r.arrayBuffer());
      latencies.push(performance.now() - started);
      if (process.env["TRACE"]) console.error(Math.round(performance.now()), Math.round(performance.now() - started));
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const started = performance.now();
  const views = await Promise.all(
    Array.from({ length: 20 }, () =>
      fetch(`${base}/api/documents/${id}/pages/1`).then(async (r) => ({ status: r.status, bytes: (await r.arrayBuffer()).byteLength })),
    ),
  );
  const viewMs = performance.now() - started;
  viewing = false;
  await poll;
  await new Promise((resolve) => setTimeout(resolve, 3000));
  global.gc?.();
  const rssAfter = process.memoryUsage().rss;
  latencies.sort((a, b) => a - b);
  const mb = (n: number) => Math.round(n / 2 ** 20);
  console.log(
    JSON.stringify(
      {
        views: views.length,
        statuses: [...new Set(views.map((v) => v.status))],
        imageBytes: views[0]?.bytes,
        allViewsMs: Math.round(viewMs),
        configPolls: latencies.length,
        configMaxMs: Math.round(latencies.at(-1) ?? 0),
        configMedianMs: Math.round(latencies[Math.floor(latencies.length / 2)] ?? 0),
        rssBeforeMb: mb(rssBefore),
        rssPeakMb: mb(peakRss),
        rssAfterMb: mb(rssAfter),
      },
      null,
      1,
    ),
  );
} finally {
  await t.cleanup();
}
