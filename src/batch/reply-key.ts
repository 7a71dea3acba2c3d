import { createHash } from "node:crypto";
import type { ExtractionRequest } from "../providers/provider.js";

/**
 * What a request asks, as one hash: the same key means the same model, prompt and images, so a
 * reply kept under it answers the request again. Any change to the prompt, its version or the
 * page images makes a new key.
 */
export function replyKey(request: ExtractionRequest<unknown>, model: string): string {
  const hash = createHash("sha256");
  const part = (text: string) => {
    hash.update(String(Buffer.byteLength(text)));
    hash.update(":");
    hash.update(text);
  };
  for (const text of [
    model,
    request.documentId,
    request.purpose,
    request.promptVersion,
    request.schemaName,
    request.system,
    request.user,
  ]) {
    part(text);
  }
  for (const image of request.images) {
    part(`${image.page}/${image.mime}`);
    part(createHash("sha256").update(image.data).digest("hex"));
  }
  return hash.digest("hex");
}
