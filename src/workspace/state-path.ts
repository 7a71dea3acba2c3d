import { join } from "node:path";

/** The state store inside an output folder. */
export const STATE_FILE = "state.sqlite";

export function statePath(outDir: string): string {
  return join(outDir, STATE_FILE);
}
