import path from "node:path";
import type { FormResult } from "../forms/form-result.js";
import { type ResultRow, resultRowOf } from "../storage/result-index.js";

/** One line of the documents table and the review queue, with its path shown relative to the uploads folder. */
export type DocumentRow = ResultRow;

/** Paths are shown relative to the uploads folder, never as server paths. */
export function displayPath(file: string, uploadsRoot: string): string {
  const relative = path.relative(path.resolve(uploadsRoot), path.resolve(uploadsRoot, file));
  if (relative.startsWith("..") || path.isAbsolute(relative)) return path.basename(file);
  return relative.split(path.sep).join("/");
}

export function forDisplay(row: ResultRow, uploadsRoot: string): DocumentRow {
  return { ...row, path: displayPath(row.path, uploadsRoot) };
}

export function toDocumentRow(result: FormResult, uploadsRoot: string): DocumentRow {
  return forDisplay(resultRowOf(result), uploadsRoot);
}
