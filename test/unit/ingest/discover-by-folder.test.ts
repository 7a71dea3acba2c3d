import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverByFolder, discoverDocuments } from "../../../src/ingest/discover.js";
import type { Discovery } from "../../../src/ingest/discover.js";
import { blankPdf, makeTempDir, pageImage, removeDir, writeFixture } from "../../fixtures/ingest/fixtures.js";

describe("discoverByFolder", () => {
  let root: string;

  beforeAll(async () => {
    root = await makeTempDir();
    const png = await pageImage(40, 60, "png");
    const pdf = await blankPdf(1);
    await writeFixture(join(root, "เขต 1/ชุดที่ 1/page-1.png"), png);
    await writeFixture(join(root, "เขต 1/ชุดที่ 1/page-2.png"), Buffer.concat([png, Buffer.from("2")]));
    await writeFixture(join(root, "เขต 1/a.pdf"), pdf);
    await writeFixture(join(root, "เขต 2/b.pdf"), Buffer.concat([pdf, Buffer.from("b")]));
    await writeFixture(join(root, "เขต 2/empty.pdf"), "");
  });

  afterAll(() => removeDir(root));

  it("yields one chunk per folder, and together the same documents as discoverDocuments", async () => {
    const chunks: Discovery[] = [];
    for await (const chunk of discoverByFolder([root])) chunks.push(chunk);
    expect(chunks.map((c) => c.documents.map((d) => d.primaryPath.slice(root.length + 1)))).toEqual([
      ["เขต 1/a.pdf"],
      ["เขต 1/ชุดที่ 1/page-1.png"],
      ["เขต 2/b.pdf"],
    ]);
    const whole = await discoverDocuments([root]);
    const streamed = chunks
      .flatMap((c) => c.documents)
      .map((d) => d.id)
      .sort();
    expect(streamed).toEqual(whole.documents.map((d) => d.id).sort());
    expect(chunks.flatMap((c) => c.rejected).map((r) => r.error.code)).toEqual(whole.rejected.map((r) => r.error.code));
    expect(whole.documents.find((d) => d.container === "image-series")?.sources).toHaveLength(2);
  });

  it("reads a file reached both through its folder and by name once", async () => {
    const chunks: Discovery[] = [];
    for await (const chunk of discoverByFolder([join(root, "เขต 2"), join(root, "เขต 2/b.pdf")])) chunks.push(chunk);
    expect(chunks.flatMap((c) => c.documents)).toHaveLength(1);
  });

  it("yields a large folder a few documents first, then a few dozen at a time, in path order, hashing each chunk before it is yielded", async () => {
    const big = await makeTempDir();
    try {
      const pdf = await blankPdf(1);
      for (let i = 0; i < 70; i++)
        await writeFixture(join(big, `unit-${String(i).padStart(3, "0")}.pdf`), Buffer.concat([pdf, Buffer.from(String(i))]));
      await writeFixture(join(big, "broken.png"), "not a png");
      const chunks: Discovery[] = [];
      for await (const chunk of discoverByFolder([big])) chunks.push(chunk);
      expect(chunks.map((c) => c.documents.length)).toEqual([4, 8, 16, 32, 10]);
      const paths = chunks.flatMap((c) => c.documents.map((d) => d.primaryPath));
      expect(paths).toEqual([...paths].sort());
      expect(chunks[0]?.rejected.map((r) => r.path)).toEqual([join(big, "broken.png")]);
      const whole = await discoverDocuments([big]);
      expect(chunks.flatMap((c) => c.documents.map((d) => d.id))).toEqual(whole.documents.map((d) => d.id));
    } finally {
      await removeDir(big);
    }
  });
});
