import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runMain } from "../../support/in-process-cli.js";

describe("synth progress", () => {
  it.each([false, true])("says what it is writing at once and counts documents (terminal: %s)", async (isTTY) => {
    const dir = await mkdtemp(join(tmpdir(), "synth-progress-"));
    try {
      const { code, stderrWrites: stderr } = await runMain(
        ["synth", "--out", dir, "--count", "2", "--kind", "constituency", "--dpi", "60"],
        { stderrIsTTY: isTTY },
      );
      expect(code).toBe(0);
      expect(stderr[0]).toBe(`synth: writing 2 documents to ${dir}\n`);
      expect(stderr.join("")).toMatch(/2\/2 documents, \d+\.\d s/);
      if (isTTY) expect(stderr.join("")).toContain("\r\x1b[K1/2 documents");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
