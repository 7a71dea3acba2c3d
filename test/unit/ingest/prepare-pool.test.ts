import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exifRotatedJpeg, makePdf, makeTempDir, pageImage, removeDir, writeFixture } from "../../fixtures/ingest/fixtures.js";
import { discoverDocuments } from "../../../src/ingest/discover.js";
import { DEFAULT_PREPARE_OPTIONS, prepareDocument } from "../../../src/ingest/prepare.js";
import { createPreparePool, type PreparePool } from "../../../src/ingest/prepare-pool.js";
import type { DiscoveredDocument } from "../../../src/ingest/types.js";

describe("createPreparePool", () => {
  let root: string;
  let pool: PreparePool;
  let documents: DiscoveredDocument[];

  beforeAll(async () => {
    root = await makeTempDir();
    pool = createPreparePool({ threads: 2 });
    const scan = await pageImage(900, 1270, "jpeg");
    await writeFixture(join(root, "a-scan.pdf"), await makePdf([{ image: scan }, { text: "vector" }, { image: scan }]));
    await writeFixture(join(root, "b-broken.png"), (await pageImage(300, 400, "png")).subarray(0, 500));
    await writeFixture(join(root, "c-exif.jpg"), await exifRotatedJpeg());
    await writeFixture(join(root, "d-locked.pdf"), await makePdf([{ text: "x" }], { userPassword: "pw" }));
    await writeFixture(join(root, "e/page-1.png"), await pageImage(500, 700, "png"));
    await writeFixture(join(root, "e/page-2.webp"), await pageImage(500, 700, "webp"));
    ({ documents } = await discoverDocuments([root]));
  });

  afterAll(async () => {
    await pool.close();
    await removeDir(root);
  });

  it("returns exactly what the in-thread function returns, and bad documents do not stop the others", async () => {
    const signal = new AbortController().signal;
    const pooled = await Promise.all(documents.map((doc) => pool.prepare(doc, DEFAULT_PREPARE_OPTIONS, signal)));
    const local = await Promise.all(documents.map((doc) => prepareDocument(doc, DEFAULT_PREPARE_OPTIONS, signal)));
    expect(pooled.map((r) => (r.ok ? r.value.length : r.error.code))).toEqual([3, "corrupt_image", 1, "pdf_encrypted", 2]);
    // libvips keeps its error text per thread, so only the error code is compared.
    const strip = (result: (typeof pooled)[number]) =>
      result.ok ? result.value.map(({ elapsedMs: _elapsed, ...page }) => page) : result.error.code;
    expect(pooled.map(strip)).toEqual(local.map(strip));
    for (const result of pooled) {
      if (!result.ok) continue;
      for (const page of result.value) if (page.jpeg) expect(Buffer.isBuffer(page.jpeg)).toBe(true);
    }
  });

  it("rejects at once when aborted, and keeps working afterwards", async () => {
    const controller = new AbortController();
    const doc = documents[0] as DiscoveredDocument;
    const pending = Promise.all([1, 2, 3].map(() => pool.prepare(doc, DEFAULT_PREPARE_OPTIONS, controller.signal)));
    controller.abort(new Error("stop now"));
    await expect(pending).rejects.toThrow("stop now");
    const after = await pool.prepare(doc, DEFAULT_PREPARE_OPTIONS, new AbortController().signal);
    expect(after.ok).toBe(true);
  });
});
