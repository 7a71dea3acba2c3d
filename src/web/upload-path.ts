import path from "node:path";
import { err, ok, type Result } from "../basics/result.js";

const MAX_SEGMENT_BYTES = 255;
const MAX_PATH_CHARS = 1024;
const MAX_DEPTH = 32;
// Characters Windows forbids in names; replaced so a batch can be copied to any machine.
const RESERVED = /[<>:"|?*]/g;
// C0/C1 controls and NUL: never part of a real file name.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Turns the relative path a browser sent for an uploaded file into a safe relative path:
 * NFC-normalised, "/"-separated, no traversal. Thai and other scripts are kept as they are.
 */
export function sanitizeUploadPath(raw: string): Result<string, string> {
  const text = raw.normalize("NFC").trim();
  if (text.length === 0) return err("empty file name");
  if (text.length > MAX_PATH_CHARS) return err("file path is too long");
  if (CONTROL.test(text)) return err("file name contains control characters");
  if (text.includes("\\")) return err("file name contains a backslash");
  if (text.startsWith("/") || /^[A-Za-z]:/.test(text)) return err("absolute paths are not allowed");
  const segments = text.split("/");
  if (segments.length > MAX_DEPTH) return err("folder nesting is too deep");
  const cleaned: string[] = [];
  for (const segment of segments) {
    if (segment === "..") return err("'..' is not allowed in a file path");
    if (segment === "" || segment === ".") return err("empty folder name in the file path");
    const safe = segment.replace(RESERVED, "_").trim();
    if (safe === "" || /^\.+$/.test(safe)) return err("invalid folder or file name");
    if (Buffer.byteLength(safe, "utf8") > MAX_SEGMENT_BYTES) return err("a folder or file name is too long");
    cleaned.push(safe);
  }
  return ok(cleaned.join("/"));
}

/** Resolves a sanitised relative path under root, and refuses anything that would land outside it. */
export function resolveInside(root: string, relative: string): Result<string, string> {
  const base = path.resolve(root);
  const target = path.resolve(base, ...relative.split("/"));
  if (target === base || !target.startsWith(base + path.sep)) return err("path leaves its folder");
  return ok(target);
}
