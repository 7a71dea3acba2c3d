import { randomUUID } from "node:crypto";

/** An image to place in a request body as a base64 data URL. */
export interface BodyImage {
  readonly mime: string;
  readonly data: Buffer;
}

/**
 * A request body with page images, encoded as UTF-8 JSON without building it as one string.
 *
 * The prompts hold Thai text, so a JSON string of the whole body is a two-byte string: about
 * 1.4 MB of heap per megabyte of JPEG, copied again by fetch (toWellFormed) and once more into
 * UTF-8. The images' base64 never needs escaping, so the skeleton is serialized with a marker
 * per image and each data URL is written straight into the output buffer.
 *
 * `build` receives one marker per image and returns the body with each marker where the
 * image's URL goes. The bytes are those of `JSON.stringify` of that body with the URLs in place;
 * the body is returned as built (with the markers), for callers that look at its other fields.
 */
export function encodeJsonBody<Body>(
  images: readonly BodyImage[],
  build: (urls: readonly string[]) => Body,
): { readonly body: Body; readonly bytes: Buffer } {
  const nonce = randomUUID();
  const markers = images.map((_, i) => `@@image-${nonce}-${i}@@`);
  const body = build(markers);
  const skeleton = JSON.stringify(body);
  const parts: { readonly text: string; readonly encoding: "utf8" | "latin1" }[] = [];
  let from = 0;
  for (const [i, image] of images.entries()) {
    const marker = markers[i] as string;
    const at = skeleton.indexOf(marker, from);
    if (at < 0) throw new Error("encodeJsonBody: the body does not hold every image marker");
    parts.push({ text: skeleton.slice(from, at), encoding: "utf8" });
    // Two parts, not one concatenation: writing a concatenated string would copy it first.
    parts.push({ text: `data:${image.mime};base64,`, encoding: "latin1" }, { text: image.data.toString("base64"), encoding: "latin1" });
    from = at + marker.length;
  }
  parts.push({ text: skeleton.slice(from), encoding: "utf8" });
  const out = Buffer.allocUnsafe(parts.reduce((sum, part) => sum + Buffer.byteLength(part.text, part.encoding), 0));
  let offset = 0;
  for (const part of parts) offset += out.write(part.text, offset, part.encoding);
  return { body, bytes: out };
}
