import { z } from "zod";
import { err, ok, type Result } from "../basics/result.js";
import { type FormResult, FormResultSchema } from "../forms/form-result.js";

/**
 * Applies one review edit to a result: the field at `fieldPath` (dot path, array indices as
 * numbers) gets `newValue`. When the field is a number cell's value, the cell also records who
 * changed it. The edited result must still validate.
 */
export function editResult(
  result: FormResult,
  fieldPath: string,
  newValue: unknown,
  by: string,
  at: string,
  note?: string,
): Result<{ readonly updated: FormResult; readonly oldValue: unknown }, string> {
  const segments = fieldPath.split(".").filter((s) => s.length > 0);
  const last = segments.at(-1);
  if (last === undefined) return err("empty field path");
  const copy = structuredClone(result) as unknown;
  let parent: unknown = copy;
  for (const segment of segments.slice(0, -1)) {
    parent = child(parent, segment);
    if (parent === undefined || parent === null || typeof parent !== "object") return err(`no field at "${fieldPath}"`);
  }
  const container = parent as Record<string, unknown>;
  if (!(last in container)) return err(`no field at "${fieldPath}"`);
  const oldValue = container[last];
  container[last] = newValue;
  if (last === "value" && "mark" in container && "digits" in container) {
    const previous = typeof oldValue === "number" ? oldValue : null;
    container["edit"] = note === undefined ? { by, at, previousValue: previous } : { by, at, previousValue: previous, note };
  }
  const parsed = FormResultSchema.safeParse(copy);
  if (!parsed.success) return err(`edit makes the result invalid: ${z.prettifyError(parsed.error)}`);
  return ok({ updated: parsed.data, oldValue: oldValue === undefined ? null : oldValue });
}

function child(node: unknown, segment: string): unknown {
  if (Array.isArray(node)) {
    const index = Number(segment);
    return Number.isInteger(index) ? node[index] : undefined;
  }
  if (node !== null && typeof node === "object") return (node as Record<string, unknown>)[segment];
  return undefined;
}
