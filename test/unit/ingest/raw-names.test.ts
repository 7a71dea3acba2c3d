import { mkdirSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverDocuments } from "../../../src/ingest/discover.js";
import { DEFAULT_PREPARE_OPTIONS, prepareDocument } from "../../../src/ingest/prepare.js";
import { fsPath, nameFromBytes } from "../../../src/ingest/raw-path.js";
import { blankPdf, makeTempDir, pageImage, removeDir } from "../../fixtures/ingest/fixtures.js";

/** "หน่วย" and "แพร่" as a Windows tool writes them in TIS-620 / cp874: not UTF-8. */
const UNIT_TIS620 = Buffer.from([0xcb, 0xb9, 0xe8, 0xc7, 0xc2]);
const ZONE_TIS620 = Buffer.from([0xe1, 0xbe, 0xc3, 0xe8]);

describe("file names that are not UTF-8", () => {
  let root: string;

  beforeAll(async () => {
    root = await makeTempDir();
    const folder = Buffer.concat([Buffer.from(`${root}/`), ZONE_TIS620]);
    mkdirSync(folder);
    writeFileSync(Buffer.concat([folder, Buffer.from("/"), UNIT_TIS620, Buffer.from(" 1.png")]), await pageImage(300, 400, "png"));
    writeFileSync(Buffer.concat([folder, Buffer.from("/"), UNIT_TIS620, Buffer.from(" 2.pdf")]), await blankPdf(1));
  });

  afterAll(() => removeDir(root));

  it("shows a non-UTF-8 name escaped, and turns the escaped name back into the same bytes", () => {
    expect(nameFromBytes(Buffer.from("หน่วย 1.png"))).toBe("หน่วย 1.png");
    const shown = nameFromBytes(Buffer.concat([UNIT_TIS620, Buffer.from(" a\\b.png")]));
    expect(shown).toBe("\\xCB\\xB9\\xE8\\xC7\\xC2 a\\x5Cb.png");
    expect(fsPath(`/scans/${shown}`)).toEqual(Buffer.concat([Buffer.from("/scans/"), UNIT_TIS620, Buffer.from(" a\\b.png")]));
    expect(fsPath("/scans/หน่วย 1.png")).toBe("/scans/หน่วย 1.png");
    // A UTF-8 name that merely reads like an escape is opened as written.
    expect(fsPath("/scans/a\\x41.png")).toBe("/scans/a\\x41.png");
  });

  it("discovers and prepares files under legacy-encoded Thai names instead of failing with ENOENT", async () => {
    const { documents, rejected } = await discoverDocuments([root]);
    expect(rejected).toEqual([]);
    expect(documents.map((d) => d.primaryPath.slice(root.length + 1)).sort()).toEqual([
      "\\xE1\\xBE\\xC3\\xE8/\\xCB\\xB9\\xE8\\xC7\\xC2 1.png",
      "\\xE1\\xBE\\xC3\\xE8/\\xCB\\xB9\\xE8\\xC7\\xC2 2.pdf",
    ]);
    for (const doc of documents) {
      const prepared = await prepareDocument(doc, DEFAULT_PREPARE_OPTIONS, new AbortController().signal);
      expect(prepared.ok ? prepared.value.length : prepared.error.message).toBe(1);
    }
  });
});
