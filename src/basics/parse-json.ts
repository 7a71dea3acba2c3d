import type { z } from "zod";

/** Parses a JSON string with a schema; null when absent, not JSON, or not matching (stored or sent values that may be stale). */
export function parseJsonWith<T>(schema: z.ZodType<T>, text: string | null | undefined): T | null {
  if (text == null || text === "") return null;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
