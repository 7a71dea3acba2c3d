import { z } from "zod";
import { err, ok, type Result } from "../basics/result.js";
import { type FormResult, FormResultSchema } from "../forms/form-result.js";
import type { EditInput, EditRecord } from "./store.js";

/** An edit ready to persist: the updated result and its audit entry (the store assigns the id). */
export interface PlannedEdit {
  readonly updated: FormResult;
  readonly record: Omit<EditRecord, "id">;
}

/** What every store does before it writes an edit: find the result, apply the edit, build the audit entry. */
export function planEdit(stored: Result<FormResult, string> | null, edit: EditInput, at: string): Result<PlannedEdit, string> {
  if (stored === null) return err(`no result for document ${edit.documentId}`);
  if (!stored.ok) return stored;
  const edited = editResult(stored.value, edit.fieldPath, edit.newValue, edit.by, at, edit.note);
  if (!edited.ok) return edited;
  return ok({
    updated: edited.value.updated,
    record: {
      documentId: edit.documentId,
      fieldPath: edit.fieldPath,
      oldValue: edited.value.oldValue,
      newValue: edit.newValue,
      at,
      by: edit.by,
      note: edit.note ?? null,
    },
  });
}

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
