import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeJsonBody } from "./json-body.js";

describe("encodeJsonBody", () => {
  it("gives the bytes of JSON.stringify with the data URLs in place, for any text and images", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 }), (text, images) => {
        const bodyImages = images.map((bytes) => ({ mime: "image/jpeg", data: Buffer.from(bytes) }));
        const build = (urls: readonly string[]) => ({ prompt: text, parts: urls.map((url) => ({ url, note: `${text}|` })) });
        const urls = bodyImages.map((image) => `data:image/jpeg;base64,${image.data.toString("base64")}`);
        const expected = Buffer.from(JSON.stringify(build(urls)), "utf8");
        expect(encodeJsonBody(bodyImages, build).bytes.equals(expected)).toBe(true);
      }),
    );
  });

  it("refuses a body that leaves an image out", () => {
    const image = { mime: "image/png", data: Buffer.from([1, 2, 3]) };
    expect(() => encodeJsonBody([image, image], (urls) => ({ only: urls[0] }))).toThrow(/every image marker/);
  });
});
