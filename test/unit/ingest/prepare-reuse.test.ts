import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverDocuments } from "../../../src/ingest/discover.js";
import { DEFAULT_PREPARE_OPTIONS, prepareDocument } from "../../../src/ingest/prepare.js";
import type { PreparedPage } from "../../../src/ingest/types.js";
import { exifRotatedJpeg, makePdf, makeTempDir, pageImage, removeDir, writeFixture } from "../../fixtures/ingest/fixtures.js";

const never = new AbortController().signal;
let root: string;
const bytes: Record<string, Buffer> = {};

async function pageOf(name: string): Promise<PreparedPage> {
  const { documents } = await discoverDocuments([join(root, name)]);
  const result = await prepareDocument(documents[0]!, DEFAULT_PREPARE_OPTIONS, never);
  if (!result.ok) throw new Error(result.error.message);
  return result.value[0]!;
}

describe("preparation reuses a JPEG that is already the right size", () => {
  beforeAll(async () => {
    root = await makeTempDir();
    bytes["small.jpg"] = await pageImage(1200, 1700, "jpeg");
    bytes["large.jpg"] = await pageImage(2480, 3509, "jpeg");
    bytes["turned.jpg"] = await exifRotatedJpeg(1200, 900);
    for (const [name, data] of Object.entries(bytes)) await writeFixture(join(root, name), data);
    await writeFixture(join(root, "scan.pdf"), await makePdf([{ image: bytes["small.jpg"] }]));
  });

  afterAll(() => removeDir(root));

  it("sends a small upright JPEG file as it is, without decoding or re-encoding it", async () => {
    const page = await pageOf("small.jpg");
    expect(page.jpeg?.equals(bytes["small.jpg"]!)).toBe(true);
    expect([page.width, page.height]).toEqual([1200, 1700]);
  });

  it("sends a scanned PDF page's own small JPEG as it is", async () => {
    const page = await pageOf("scan.pdf");
    expect(page.method).toBe("pdf-embedded-jpeg");
    expect(page.jpeg?.equals(bytes["small.jpg"]!)).toBe(true);
  });

  it("still prepares a JPEG that is too large or carries an EXIF turn", async () => {
    const large = await pageOf("large.jpg");
    expect(large.jpeg?.equals(bytes["large.jpg"]!)).toBe(false);
    expect(Math.max(large.width, large.height)).toBe(DEFAULT_PREPARE_OPTIONS.maxLongSide);
    const turned = await pageOf("turned.jpg");
    expect(turned.jpeg?.equals(bytes["turned.jpg"]!)).toBe(false);
    expect([turned.width, turned.height]).toEqual([1200, 900]);
  });
});
