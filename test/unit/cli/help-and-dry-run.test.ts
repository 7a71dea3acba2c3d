import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMain } from "../../support/in-process-cli.js";
import { generateSynthBatch } from "../../../src/synth/generate.js";

let root = "";
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "help-dry-run-"));
  await generateSynthBatch({
    outDir: join(root, "forms"),
    count: 1,
    kind: "constituency",
    seed: 5,
    format: "pdf",
    noise: "none",
    errorRate: 0,
    dpi: 72,
  });
}, 60_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const run = (env: NodeJS.ProcessEnv, ...argv: string[]) => runMain(argv, { env });

describe("help texts", () => {
  it.each(["serve", "worker", "process"])("%s --help lists the local reader and the cascade", async (command) => {
    const help = await run({}, command, "--help");
    expect(help.code).toBe(0);
    expect(help.stdout.replace(/\s+/g, " ")).toMatch(/openrouter \| openai \| gemini \| ollama \| lmstudio \| vllm \| local \| cascade/);
  });
});

describe("--dry-run with the offline reader", () => {
  it("gives a CPU time estimate and promises no re-asks", async () => {
    const dry = await run({}, "process", join(root, "forms"), "--out", join(root, "out"), "--provider", "local", "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Estimate: 1 page\(s\) at about 0\.5 s of CPU each on \d+ thread\(s\) → about \d/);
    expect(dry.stdout).toMatch(/no requests, no re-asks/);
    expect(dry.stdout).not.toMatch(/up to \d+ re-asks/);
    expect(dry.stdout).not.toMatch(/the provider's speed decides/);
  });

  it("with the cascade, estimates the local pass and caps the requests", async () => {
    const dry = await run(
      { OPENROUTER_API_KEY: "test-key" },
      "process",
      join(root, "forms"),
      "--out",
      join(root, "out"),
      "--provider",
      "cascade",
      "--dry-run",
    );
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Local first: 1 page\(s\)/);
    expect(dry.stdout).toMatch(/Requests: at most 1 first reads/);
  });
});
