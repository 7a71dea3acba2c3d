import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runMain } from "../../support/in-process-cli.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const run = (...argv: string[]) => runMain(argv);

describe("process with a mistyped input path", () => {
  it("exits 2, names the path and creates nothing", async () => {
    const root = await mkdtemp(join(tmpdir(), "missing-input-"));
    dirs.push(root);
    const out = join(root, "out");
    const missing = join(root, "scnas");
    const result = await run("process", missing, "--out", out, "--provider", "local", "--progress", "none");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("input not found");
    expect(result.stderr).toContain(missing);
    expect(result.stdout).not.toMatch(/already finished/);
    expect(existsSync(out)).toBe(false);
  });

  it("--dry-run refuses it the same way", async () => {
    const root = await mkdtemp(join(tmpdir(), "missing-input-"));
    dirs.push(root);
    const result = await run("process", join(root, "nope"), "--out", join(root, "out"), "--provider", "local", "--dry-run");
    expect(result.code).toBe(2);
    expect(existsSync(join(root, "out"))).toBe(false);
  });
});
