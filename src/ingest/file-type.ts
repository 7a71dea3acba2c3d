/** The input formats we read, recognised by their leading bytes, never by their names. */
export type InputFileType = "pdf" | "png" | "jpeg" | "webp" | "tiff";

/** How many leading bytes `sniffFileType` wants (PDF allows junk before its marker). */
export const SNIFF_BYTES = 1024;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((byte, i) => bytes[at + i] === byte);
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

function containsPdfMarker(bytes: Uint8Array): boolean {
  const marker = ascii("%PDF-");
  const limit = Math.min(bytes.length, SNIFF_BYTES) - marker.length;
  for (let i = 0; i <= limit; i++) {
    if (startsWith(bytes, marker, i)) return true;
  }
  return false;
}

export function sniffFileType(header: Uint8Array): InputFileType | null {
  if (startsWith(header, PNG_SIGNATURE)) return "png";
  if (startsWith(header, [0xff, 0xd8, 0xff])) return "jpeg";
  if (startsWith(header, ascii("RIFF")) && startsWith(header, ascii("WEBP"), 8)) return "webp";
  // Classic TIFF (42) and BigTIFF (43), both byte orders.
  if (
    startsWith(header, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(header, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWith(header, [0x49, 0x49, 0x2b, 0x00]) ||
    startsWith(header, [0x4d, 0x4d, 0x00, 0x2b])
  ) {
    return "tiff";
  }
  if (containsPdfMarker(header)) return "pdf";
  return null;
}

const EXTENSION_TYPES: Readonly<Record<string, InputFileType>> = {
  ".pdf": "pdf",
  ".png": "png",
  ".jpg": "jpeg",
  ".jpeg": "jpeg",
  ".jpe": "jpeg",
  ".jfif": "jpeg",
  ".webp": "webp",
  ".tif": "tiff",
  ".tiff": "tiff",
};

/** The type a file name promises, or null when its extension is not one we read. */
export function typeFromExtension(fileName: string): InputFileType | null {
  const dot = fileName.lastIndexOf(".");
  if (dot < 0) return null;
  return EXTENSION_TYPES[fileName.slice(dot).toLowerCase()] ?? null;
}
