import { createHash } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blankPdf, makeTempDir, multiPageTiff, pageImage, removeDir, writeFixture } from "../../fixtures/ingest/fixtures.js";
import { discoverDocuments } from "../../../src/ingest/discover.js";

const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");

describe("discoverDocuments", () => {
  let root: string;
  const bytes = new Map<string, Buffer>();

  beforeAll(async () => {
    root = await makeTempDir();
    const png = await pageImage(40, 60, "png");
    const jpeg = await pageImage(40, 60, "jpeg");
    const pdf = await blankPdf(2);
    const tiff = await multiPageTiff(3, 30, 40);
    const files: Record<string, Buffer | string> = {
      "เขต 2/ชุดที่ 1/page-2.png": Buffer.concat([png, Buffer.from("2")]),
      "เขต 2/ชุดที่ 1/page-1.png": png,
      "เขต 2/ชุดที่ 1/สส.5ทับ18(บช).pdf": pdf,
      "เขต 2/loose.jpg": jpeg,
      "เขต 2/scan.tif": tiff,
      "เขต 2/.hidden.png": png,
      ".cache/inside.png": png,
      "out/results.jsonl": '{"a":1}\n',
      "out/votes.csv": "a,b\n",
      "out/summary.md": "# hi\n",
      "out/state.sqlite": "SQLite format 3\u0000",
      "bad/empty.png": "",
      "bad/notes.png": "this is text, not a picture\n",
      "bad/empty-notes.txt": "",
      "a-first.png": jpeg, // a JPEG named .png is still a JPEG: accepted by content
    };
    for (const [name, data] of Object.entries(files)) {
      const buffer = typeof data === "string" ? Buffer.from(data) : data;
      bytes.set(name, buffer);
      await writeFixture(join(root, name), buffer);
    }
  });

  afterAll(() => removeDir(root));

  it("finds documents in a stable order and skips hidden and non-scan files", async () => {
    const { documents } = await discoverDocuments([root]);
    expect(documents.map((d) => [d.primaryPath.slice(root.length + 1), d.container, d.sources.length])).toEqual([
      ["a-first.png", "image", 1],
      ["เขต 2/loose.jpg", "image", 1],
      ["เขต 2/scan.tif", "tiff", 1],
      ["เขต 2/ชุดที่ 1/page-1.png", "image-series", 2],
      ["เขต 2/ชุดที่ 1/สส.5ทับ18(บช).pdf", "pdf", 1],
    ]);
    const again = await discoverDocuments([root]);
    expect(again.documents).toEqual(documents);
  });

  it("uses the file hash as id, and the hash of the page hashes for a series", async () => {
    const { documents } = await discoverDocuments([root]);
    const pdf = documents.find((d) => d.container === "pdf");
    const pdfBytes = bytes.get("เขต 2/ชุดที่ 1/สส.5ทับ18(บช).pdf") as Buffer;
    expect(pdf?.id).toBe(sha256(pdfBytes));
    expect(pdf?.sources).toEqual([{ path: pdf?.primaryPath, sha256: sha256(pdfBytes), bytes: pdfBytes.length }]);

    const series = documents.find((d) => d.container === "image-series");
    const pageHashes = ["เขต 2/ชุดที่ 1/page-1.png", "เขต 2/ชุดที่ 1/page-2.png"].map((n) => sha256(bytes.get(n) as Buffer));
    expect(series?.sources.map((s) => s.sha256)).toEqual(pageHashes);
    expect(series?.id).toBe(sha256(pageHashes.join("\n")));
  });

  it("carries path metadata from the folders", async () => {
    const { documents } = await discoverDocuments([root]);
    const pdf = documents.find((d) => d.container === "pdf");
    expect(pdf?.pathMetadata.formKind?.value).toBe("party_list");
    expect(pdf?.pathMetadata.setNumber?.value).toBe(1);
  });

  it("rejects empty and mislabelled scans with a reason, and ignores other files silently", async () => {
    const { rejected } = await discoverDocuments([root]);
    expect(rejected.map((r) => [r.path.slice(root.length + 1), r.error.code])).toEqual([
      ["bad/empty.png", "empty_file"],
      ["bad/notes.png", "type_mismatch"],
    ]);
    expect(rejected[1]?.error.message).toMatch(/PNG/);
  });

  it("keeps the path as given under the input root and reads a file named twice once", async () => {
    const folder = join(root, "เขต 2");
    const { documents } = await discoverDocuments([folder, join(folder, "loose.jpg")]);
    expect(documents.map((d) => d.primaryPath).filter((p) => p.endsWith("loose.jpg"))).toEqual([join(folder, "loose.jpg")]);
  });

  it("reports a missing input and an explicitly named unsupported file", async () => {
    await writeFixture(join(root, "extra/readme.txt"), "hello");
    const { documents, rejected } = await discoverDocuments([join(root, "nope"), join(root, "extra/readme.txt")]);
    expect(documents).toEqual([]);
    expect(rejected.map((r) => r.error.code).sort()).toEqual(["not_a_supported_file", "not_found"]);
  });

  it("rejects on abort", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(discoverDocuments([root], { signal: controller.signal })).rejects.toThrow("stop");
  });
});
