import type { Command } from "commander";
import { err, ok, type Result } from "../../basics/result.js";
import { parseThaiNumber } from "../../forms/thai-number.js";

/** The integer a text names, or the message to show when it names none. */
export function runThaiNumber(text: string): Result<number, string> {
  const value = parseThaiNumber(text);
  if (value !== null) return ok(value);
  if (text.trim() === "") return err("thai-number: the text is empty; give Thai number words or digits, e.g. หกร้อยสิบสี่");
  return err(`thai-number: "${text}" is not a number in Thai words or digits (e.g. หกร้อยสิบสี่, ๖๑๔, 614)`);
}

export interface ThaiNumberOutput {
  readonly out: (line: string) => void;
  readonly error: (line: string) => void;
}

const STANDARD_OUTPUT: ThaiNumberOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
};

/** Prints the integer, or a message on stderr and exit code 1. */
export function thaiNumberAction(text: string, output: ThaiNumberOutput = STANDARD_OUTPUT): void {
  const result = runThaiNumber(text);
  if (result.ok) {
    output.out(String(result.value));
  } else {
    output.error(result.error);
    process.exitCode = 1;
  }
}

export function registerThaiNumberCommand(program: Command): void {
  program
    .command("thai-number")
    .description("print the integer written in Thai number words or digits (หกร้อยสิบสี่บัตร → 614)")
    .argument("<text...>", "Thai number words or digits (words split by spaces are joined)")
    .action((words: string[]) => thaiNumberAction(words.join(" ")));
}
