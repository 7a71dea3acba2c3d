import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp, { type Sharp } from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzePage, type PageRole } from "../../../src/local/layout/page-layout.js";
import { generateSynthBatch, type SynthTruthLine } from "../../../src/synth/generate.js";

/** Ways a count page reaches the reader: tilted, cropped, scaled down, with pale rules. */
const DISTORTIONS: Record<string, (image: Sharp, width: number, height: number) => Sharp> = {
  "skewed 6 degrees": (image) => image.rotate(6, { background: "#ffffff" }),
  "cropped at the edges": (image, width, height) =>
    image.extract({
      left: Math.round(width * 0.04),
      top: Math.round(height * 0.03),
      width: Math.round(width * 0.93),
      height: Math.round(height * 0.95),
    }),
  "scaled to 60%": (image, width) => image.resize({ width: Math.round(width * 0.6) }),
  "faint rules and ink": (image) => image.linear(0.45, 140).blur(1),
};

const ROLES: readonly PageRole[] = ["party_list_1", "party_list_2", "party_list_3"];
const ROWS_ON_PAGE = [10, 24, 23];

describe("count pages lay out whatever reaches the reader", () => {
  let dir: string;
  let pages: Buffer[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "layout-robust-"));
    const batch = await generateSynthBatch({
      outDir: dir,
      count: 1,
      kind: "party_list",
      seed: 5,
      format: "png",
      noise: "scan",
      errorRate: 0,
    });
    const line = JSON.parse(readFileSync(batch.truthPath, "utf8").trim()) as SynthTruthLine;
    pages = line.paths.slice(0, 3).map((p) => readFileSync(join(dir, p)));
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const [name, distort] of Object.entries(DISTORTIONS)) {
    it(`party-list pages 1-3 ${name}`, async () => {
      for (let i = 0; i < 3; i++) {
        const meta = await sharp(pages[i]).metadata();
        const bytes = await distort(sharp(pages[i]).flatten({ background: "#ffffff" }), meta.width ?? 0, meta.height ?? 0)
          .png()
          .toBuffer();
        const layout = await analyzePage(bytes, i + 1);
        expect(layout.ok ? layout.value.role : layout.error, `page ${i + 1}`).toBe(ROLES[i]);
        if (!layout.ok) continue;
        const rows = layout.value.cells.filter((c) => c.key.startsWith("row:")).length;
        expect(rows, `page ${i + 1} rows`).toBe(ROWS_ON_PAGE[i]);
      }
    }, 60_000);
  }

  it("says why a page cannot be laid out instead of guessing", async () => {
    const blank = await sharp({ create: { width: 1240, height: 1754, channels: 3, background: "#ffffff" } })
      .png()
      .toBuffer();
    const layout = await analyzePage(blank, 2);
    expect(layout.ok).toBe(false);
    if (!layout.ok) expect(layout.error.reason).toBe("no_table");
  });
});
