import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeProvider, startFakeProvider } from "../support/fake-provider.js";
import { runCli } from "./support/cli-run.js";

/** File names that carry terminal escapes are printed escaped by `process` and `status`. */
const CLEAR_SCREEN = "\u001b[2J";
const SET_TITLE = "\u001b]0;owned\u0007";
let root = "";
let server: FakeProvider;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "terminal-escapes-"));
  mkdirSync(join(root, "in"));
  // Not images or PDFs: each fails at ingest with its name in the failed line.
  writeFileSync(join(root, "in", `${CLEAR_SCREEN}clear.pdf`), "not a pdf");
  writeFileSync(join(root, "in", `${SET_TITLE}title.png`), "not a png");
  server = await startFakeProvider({ truth: new Map() });
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe("terminal output escapes control characters from outside", () => {
  it("process (failed lines) and status print hostile file names escaped", async () => {
    const out = join(root, "out");
    const run = await runCli([
      "process",
      join(root, "in"),
      "--out",
      out,
      "--base-url",
      server.baseUrl,
      "--model",
      "fake",
      "--progress",
      "none",
    ]).done;
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("failed: ");
    expect(run.stdout).toContain("\\e[2Jclear.pdf");
    expect(run.stdout).toContain("\\e]0;owned\\x07title.png");
    const status = await runCli(["status", "--out", out]).done;
    expect(status.code).toBe(0);
    expect(status.stdout).toContain("\\e[2Jclear.pdf");
    for (const text of [run.stdout, run.stderr, status.stdout, status.stderr]) {
      expect(text).not.toContain("\u001b");
      expect(text).not.toContain("\u0007");
    }
  });
});
