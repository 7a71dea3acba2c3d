import { homedir } from "node:os";
import { join } from "node:path";

/** Where `reference fetch` keeps the official files: $XDG_CACHE_HOME/ballot-ocr/ect69 or ~/.cache/…. */
export function defaultReferenceDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env["XDG_CACHE_HOME"] && env["XDG_CACHE_HOME"].length > 0 ? env["XDG_CACHE_HOME"] : join(homedir(), ".cache");
  return join(cache, "ballot-ocr", "ect69");
}
