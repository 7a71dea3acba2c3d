import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { registerSynthCommand } from "./synth.js";

function program(): { program: Command; errors: string[] } {
  const errors: string[] = [];
  const root = new Command().exitOverride().configureOutput({ writeErr: (text) => errors.push(text), writeOut: () => {} });
  registerSynthCommand(root);
  for (const command of root.commands)
    command.exitOverride().configureOutput({ writeErr: (text) => errors.push(text), writeOut: () => {} });
  return { program: root, errors };
}

async function fails(args: string[]): Promise<string> {
  const { program: root, errors } = program();
  await expect(root.parseAsync(["node", "ballot-ocr", "synth", ...args])).rejects.toThrow();
  return errors.join("");
}

describe("synth command", () => {
  it("rejects bad options with a clear message", async () => {
    expect(await fails(["--count", "2"])).toMatch(/--out/);
    expect(await fails(["--out", "x", "--count", "0"])).toMatch(/--count must be a whole number/);
    expect(await fails(["--out", "x", "--count", "2", "--error-rate", "1.5"])).toMatch(/probability between 0 and 1/);
    expect(await fails(["--out", "x", "--count", "2", "--noise", "heavy"])).toMatch(/none, scan, photo/);
    expect(await fails(["--out", "x", "--count", "2", "--form", "5/19"])).toMatch(/5\/16, 5\/17, 5\/18/);
    expect(await fails(["--out", "x", "--count", "2", "--seed", "abc"])).toMatch(/seed must be a whole number/);
  });

  it("generates documents and a truth file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "synth-cli-"));
    try {
      const { program: root } = program();
      await root.parseAsync([
        "node",
        "ballot-ocr",
        "synth",
        "--out",
        dir,
        "--count",
        "1",
        "--kind",
        "constituency",
        "--format",
        "png",
        "--seed",
        "4",
      ]);
      const truth = await readFile(join(dir, "truth.jsonl"), "utf8");
      expect(truth.trim().split("\n")).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
