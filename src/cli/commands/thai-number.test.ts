import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { registerThaiNumberCommand, runThaiNumber, thaiNumberAction } from "./thai-number.js";

function capture() {
  const lines = { out: [] as string[], error: [] as string[] };
  return { lines, output: { out: (l: string) => lines.out.push(l), error: (l: string) => lines.error.push(l) } };
}

describe("thai-number command", () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it("parses words and digits", () => {
    expect(runThaiNumber("หกร้อยสิบสี่บัตร")).toEqual({ ok: true, value: 614 });
    expect(runThaiNumber("๖๑๔")).toEqual({ ok: true, value: 614 });
  });

  it("prints the integer and leaves the exit code alone", () => {
    const { lines, output } = capture();
    thaiNumberAction("หนึ่งถ้วน", output);
    expect(lines.out).toEqual(["1"]);
    expect(lines.error).toEqual([]);
    expect(process.exitCode).toBeUndefined();
  });

  it("explains what is wrong and sets exit code 1", () => {
    const { lines, output } = capture();
    thaiNumberAction("สองสอง", output);
    expect(lines.out).toEqual([]);
    expect(lines.error[0]).toMatch(/"สองสอง" is not a number/);
    expect(process.exitCode).toBe(1);
  });

  it("says so when the text is empty", () => {
    expect(runThaiNumber("  ")).toMatchObject({ ok: false, error: expect.stringMatching(/empty/) });
  });

  it("registers as a subcommand taking the words as one variadic argument", () => {
    const program = new Command();
    registerThaiNumberCommand(program);
    const command = program.commands.find((c) => c.name() === "thai-number");
    expect(command?.registeredArguments.map((a) => [a.name(), a.variadic])).toEqual([["text", true]]);
  });
});
