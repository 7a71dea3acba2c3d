import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** Read size: 1 MB chunks hash a 4.7 MB scan in 8 ms of CPU where the default 64 KB take 10–14. */
const HASH_CHUNK_BYTES = 1 << 20;

/** sha256 of a file, streamed (constant memory whatever the size). Hex, lower case. */
export async function sha256File(path: string | Buffer, signal?: AbortSignal): Promise<string> {
  const hash = createHash("sha256");
  const stream = createReadStream(path, { highWaterMark: HASH_CHUNK_BYTES, ...(signal ? { signal } : {}) });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Content id of a page series: sha256 of the page files' hex hashes joined with "\n", in page order. */
export function seriesId(pageHashes: readonly string[]): string {
  return createHash("sha256").update(pageHashes.join("\n")).digest("hex");
}
