import type { z } from "zod";
import { err, ok, type Result } from "../basics/result.js";
import type { ReferenceLoadError } from "./reference-load-error.js";

/** "[12].mp_app_no", "result_province[3].constituencies[0].turn_out". */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text.length === 0 ? String(part) : `.${String(part)}`;
  }
  return text.length === 0 ? "(root)" : text;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "number" : "number (not an integer)";
  return typeof value;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): { found: boolean; value: unknown } {
  let current: unknown = root;
  for (const part of path) {
    if (current === null || typeof current !== "object" || !(part in (current as object))) return { found: false, value: undefined };
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return { found: true, value: current };
}

/** Parse one file's JSON through its schema; the error names the file and the first bad field. */
export function validateReferenceFile<T>(file: string, json: unknown, schema: z.ZodType<T>): Result<T, ReferenceLoadError> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return ok(parsed.data);
  const issues = parsed.error.issues;
  const first = issues[0];
  if (!first) return err({ kind: "invalid_shape", file, field: "(root)", message: `${file}: invalid`, issueCount: 0 });
  const field = formatFieldPath(first.path);
  const at = valueAt(json, first.path);
  let what: string;
  if (first.code === "invalid_type") {
    what = at.found ? `expected ${first.expected}, got ${typeName(at.value)}` : `expected ${first.expected}, field missing`;
  } else {
    what = first.message + (at.found ? ` (got ${JSON.stringify(at.value)?.slice(0, 40)})` : "");
  }
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? "s" : ""})` : "";
  return err({ kind: "invalid_shape", file, field, message: `${file}: ${field}: ${what}${more}`, issueCount: issues.length });
}
