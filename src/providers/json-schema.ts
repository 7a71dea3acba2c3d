import { z } from "zod";

/**
 * Keywords kept in the JSON schema sent as response_format. OpenAI's strict mode (and the
 * services that copy it) reject unknown keywords such as maxLength or $schema, so limits that
 * only they would enforce stay in zod, which validates every reply anyway.
 */
const KEPT_KEYWORDS = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "anyOf",
  "enum",
  "const",
  "description",
  "minimum",
  "maximum",
  "minItems",
  "maxItems",
  "$defs",
  "$ref",
]);

export type JsonSchema = { readonly [key: string]: unknown };

/** Generated once per zod schema: every request of a run sends the same one. */
const generated = new WeakMap<z.ZodType, JsonSchema>();

/**
 * JSON schema for structured output, generated from the zod schema and trimmed to the strict-mode
 * subset. The same object is returned for the same schema (callers only serialize it).
 */
export function strictJsonSchema(schema: z.ZodType): JsonSchema {
  let json = generated.get(schema);
  if (json === undefined) {
    json = prune(z.toJSONSchema(schema, { target: "draft-7" })) as JsonSchema;
    generated.set(schema, json);
  }
  return json;
}

function prune(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(prune);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!KEPT_KEYWORDS.has(key)) continue;
    if (key === "properties" || key === "$defs") {
      // Keys here are field names, not keywords.
      out[key] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, prune(v)]));
    } else if (key === "minimum" || key === "maximum") {
      // z.int() emits ±MAX_SAFE_INTEGER bounds, which say nothing and upset some servers.
      if (typeof value === "number" && Math.abs(value) < Number.MAX_SAFE_INTEGER) out[key] = value;
    } else {
      out[key] = prune(value);
    }
  }
  return out;
}
