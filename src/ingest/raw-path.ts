import { readFile } from "node:fs/promises";

/*
 * File names that are not UTF-8 (Thai written by old Windows tools in TIS-620 / cp874) cannot be
 * opened by a decoded string: Node replaces the bytes it cannot decode, and the name no longer
 * exists. Discovery reads names as bytes. A UTF-8 name is used as it is; any other name is taken
 * for a legacy encoding and shown escaped, losslessly: each byte above 0x7F, and each backslash,
 * becomes `\xHH` (bits of it may look like UTF-8 by chance; they are escaped too). `fsPath` turns
 * such a shown path back into the bytes to open.
 */

const ESCAPED = /\\x[0-9A-F]{2}/;

/** A file name read as bytes → the name to show and store: itself when UTF-8, else escaped. */
export function nameFromBytes(bytes: Buffer): string {
  const text = bytes.toString("utf8");
  if (Buffer.from(text, "utf8").equals(bytes)) return text;
  let out = "";
  for (const byte of bytes) {
    out += byte > 0x7f || byte === 0x5c ? `\\x${byte.toString(16).toUpperCase().padStart(2, "0")}` : String.fromCharCode(byte);
  }
  return out;
}

/** A path as discovery shows it → what to open: the string, or the raw bytes of an escaped name. */
export function fsPath(path: string): string | Buffer {
  if (!ESCAPED.test(path)) return path;
  const parts: Buffer[] = [];
  let plain = "";
  for (let i = 0; i < path.length; i++) {
    const hex = path.slice(i + 2, i + 4);
    if (path[i] === "\\" && path[i + 1] === "x" && /^[0-9A-F]{2}$/.test(hex)) {
      parts.push(Buffer.from(plain, "utf8"), Buffer.from([Number.parseInt(hex, 16)]));
      plain = "";
      i += 3;
    } else {
      plain += path[i];
    }
  }
  parts.push(Buffer.from(plain, "utf8"));
  const bytes = Buffer.concat(parts);
  // A UTF-8 name that merely contains "\x41"-like text was never escaped: open it as written.
  return Buffer.from(bytes.toString("utf8"), "utf8").equals(bytes) ? path : bytes;
}

/** What sharp is given for a file: its path, or its bytes when the path is raw (sharp takes string paths only). */
export async function imageInput(path: string): Promise<string | Buffer> {
  const target = fsPath(path);
  return typeof target === "string" ? target : readFile(target);
}
