import { Command } from "commander";
import { mkdtemp, rm, writeFile, cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { MINI_REFERENCE_DIR } from "../../../fixtures/reference/fixture-batch.js";
import { readFile } from "node:fs/promises";
import { REFERENCE_FILE_LIST } from "../../../../src/reference/reference-files.js";
import { registerReferenceCommand } from "../../../../src/cli/commands/reference.js";

/** Serves the mini fixtures at the official URLs; tests never touch the network. */
const fixtureFetch = (async (input: string | URL | Request) => {
  const spec = REFERENCE_FILE_LIST.find((s) => s.url === String(input));
  if (!spec) return new Response("", { status: 404 });
  return new Response(await readFile(join(MINI_REFERENCE_DIR, spec.fileName)), { status: 200 });
}) as typeof fetch;

async function run(
  args: string[],
  extra: { fetch?: typeof fetch; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let errText = "";
  stdout.on("data", (d) => {
    out += d;
  });
  stderr.on("data", (d) => {
    errText += d;
  });
  let code = 0;
  const program = new Command("ballot-ocr").exitOverride();
  registerReferenceCommand(program, {
    stdout,
    stderr,
    setExitCode: (c) => {
      code = c;
    },
    ...extra,
  });
  await program.parseAsync(["node", "ballot-ocr", ...args]);
  return { code, out, err: errText };
}

describe("ballot-ocr reference check", () => {
  it("prints a summary and a constituency with candidates and parties", async () => {
    const { code, out } = await run(["reference", "check", "--reference", MINI_REFERENCE_DIR, "--show", "พร_1"]);
    expect(code).toBe(0);
    expect(out).toContain("provinces       3");
    expect(out).toContain("candidates      7");
    expect(out).toContain("   1  PRE_1_1   นางสาวทดสอบ หนึ่ง — ภูมิใจไทย (party 4), official 410 votes");
    const province = await run(["reference", "check", "--reference", MINI_REFERENCE_DIR, "--show", "Phrae"]);
    expect(province.out).toContain("constituency turnout 819  valid 785  invalid 20  no vote 14");
  });

  it("exits 2 with the file and field named when a file is corrupted", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ref-cli-"));
    try {
      await cp(MINI_REFERENCE_DIR, dir, { recursive: true });
      await writeFile(
        join(dir, "info_party_overview.json"),
        JSON.stringify([{ id: 254, party_no: "1", name: "x", abbr: null, color: null }]),
      );
      const { code, err } = await run(["reference", "check", "--reference", dir]);
      expect(code).toBe(2);
      expect(err).toContain("info_party_overview.json: [0].id: expected string, got number");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("ballot-ocr reference fetch", () => {
  it("downloads into the XDG cache by default, then reuses it", async () => {
    const cache = await mkdtemp(join(tmpdir(), "xdg-"));
    try {
      const first = await run(["reference", "fetch"], { fetch: fixtureFetch, env: { XDG_CACHE_HOME: cache } });
      expect(first.code).toBe(0);
      expect(first.out).toMatch(/^downloaded {2}info_province\.json /m);
      expect(first.out).toContain(`manifest: ${join(cache, "ballot-ocr", "ect69", "manifest.json")}`);
      expect(first.out).toContain("candidates      7");
      const second = await run(["reference", "fetch", "--dir", join(cache, "ballot-ocr", "ect69")], { fetch: fixtureFetch });
      expect(second.out).toMatch(/^cached {6}stats_party\.json /m);
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });
});
