import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** sha256 of a file, streamed (constant memory whatever the size). Hex, lower case. */
export async function sha256File(path: string | Buffer, signal?: AbortSignal): Promise<string> {
  const hash = createHash("sha256");
  const stream = createReadStream(path, signal ? { signal } : {});
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Content id of a page series: sha256 of the page files' hex hashes joined with "\n", in page order. */
export function seriesId(pageHashes: readonly string[]): string {
  return createHash("sha256").update(pageHashes.join("\n")).digest("hex");
}
