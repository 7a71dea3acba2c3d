import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";

/**
 * Writes `count` tiny distinct JPEG "scans": one small grey image, each copy made unique by a JPEG
 * comment (COM segment) naming it, so every file has its own content hash. Fast enough for 200,000.
 */
export async function writeTinyDocuments(
  dir: string,
  count: number,
  options: { perFolder?: number; start?: number } = {},
): Promise<string[]> {
  const base = await sharp({ create: { width: 24, height: 32, channels: 3, background: { r: 200, g: 200, b: 200 } } })
    .jpeg({ quality: 50 })
    .toBuffer();
  const perFolder = options.perFolder ?? 1_000;
  const start = options.start ?? 0;
  const paths: string[] = [];
  for (let i = start; i < start + count; i++) {
    const folder = join(dir, `batch-${String(Math.floor(i / perFolder)).padStart(4, "0")}`);
    if (i % perFolder === 0 || i === start) mkdirSync(folder, { recursive: true });
    const note = Buffer.from(`tiny document ${i}`, "latin1");
    const segment = Buffer.alloc(4);
    segment.writeUInt16BE(0xfffe, 0);
    segment.writeUInt16BE(note.length + 2, 2);
    const file = join(folder, `unit-${String(i).padStart(6, "0")}.jpg`);
    writeFileSync(file, Buffer.concat([base.subarray(0, 2), segment, note, base.subarray(2)]));
    paths.push(file);
  }
  return paths;
}
