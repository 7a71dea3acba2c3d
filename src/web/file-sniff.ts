/** Upload types the pipeline reads, identified by their first bytes, never by the name the browser sent. */
export type UploadKind = "pdf" | "png" | "jpeg" | "webp" | "tiff";

export const SNIFF_BYTES = 12;

const EXTENSIONS: Readonly<Record<UploadKind, readonly string[]>> = {
  pdf: [".pdf"],
  png: [".png"],
  jpeg: [".jpg", ".jpeg"],
  webp: [".webp"],
  tiff: [".tif", ".tiff"],
};

export function sniffUploadKind(head: Uint8Array): UploadKind | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  if (head.length >= 5 && ascii(0, 5) === "%PDF-") return "pdf";
  if (head.length >= 8 && head[0] === 0x89 && ascii(1, 4) === "PNG" && head[4] === 0x0d && head[5] === 0x0a) return "png";
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "jpeg";
  if (head.length >= 12 && ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "webp";
  if (head.length >= 4 && ascii(0, 4) === "II*\u0000") return "tiff";
  if (head.length >= 4 && ascii(0, 4) === "MM\u0000*") return "tiff";
  return null;
}

/** The extension the stored file should carry: a matching name is kept, a missing one is added, a wrong one is refused. */
export function extensionFor(
  kind: UploadKind,
  fileName: string,
): { kind: "keep" } | { kind: "append"; extension: string } | { kind: "mismatch"; claimed: string } {
  const dot = fileName.lastIndexOf(".");
  const claimed = dot > 0 ? fileName.slice(dot).toLowerCase() : "";
  if (EXTENSIONS[kind].includes(claimed)) return { kind: "keep" };
  const known = Object.values(EXTENSIONS).some((list) => list.includes(claimed));
  if (known) return { kind: "mismatch", claimed };
  return { kind: "append", extension: EXTENSIONS[kind][0] ?? "" };
}
