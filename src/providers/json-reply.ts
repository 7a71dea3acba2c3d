import { err, ok, type Result } from "../basics/result.js";
import { errorMessage } from "../basics/error-message.js";

/** Replies larger than this are refused before parsing: a form's reading is a few kilobytes. */
export const MAX_REPLY_BYTES = 512 * 1024;

/**
 * Finds the JSON object in a model's text reply: the whole text, a ```json fence, or the first
 * balanced {...} among leading or trailing prose. Only JSON.parse is used; nothing is evaluated.
 */
export function parseJsonReply(text: string, maxBytes = MAX_REPLY_BYTES): Result<unknown, string> {
  if (Buffer.byteLength(text, "utf8") > maxBytes) {
    return err(`the reply is larger than ${Math.round(maxBytes / 1024)} KB`);
  }
  const trimmed = text.trim();
  if (trimmed === "") return err("the reply is empty");

  const direct = tryParse(trimmed);
  if (direct.ok) return direct;

  for (const fenced of fencedBlocks(trimmed)) {
    const parsed = tryParse(fenced);
    if (parsed.ok) return parsed;
  }

  const start = trimmed.indexOf("{");
  if (start < 0) return err("the reply holds no JSON object");
  const end = balancedObjectEnd(trimmed, start);
  if (end < 0) return err("the JSON object is not closed (truncated reply?)");
  const candidate = tryParse(trimmed.slice(start, end + 1));
  if (candidate.ok) return candidate;
  return err(`the reply is not valid JSON (${candidate.error})`);
}

function tryParse(text: string): Result<unknown, string> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (error) {
    return err(errorMessage(error).slice(0, 120));
  }
}

function fencedBlocks(text: string): string[] {
  const blocks: string[] = [];
  const fence = /```[a-zA-Z]*\s*\n?([\s\S]*?)```/g;
  for (const match of text.matchAll(fence)) {
    const body = match[1]?.trim();
    if (body) blocks.push(body);
  }
  return blocks;
}

/** Index of the brace closing the object that opens at `start`, honouring strings; -1 when unclosed. */
function balancedObjectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === "\\") escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === "{") depth++;
    else if (ch === "}") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}
