import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import type { FormResult } from "../../../src/forms/form-result.js";
import type { SynthTruthLine } from "../../../src/synth/generate.js";

export const REPO = resolve(import.meta.dirname, "../../..");
export const BIN = join(REPO, "bin/ballot-ocr.js");

export interface CliRun {
  readonly child: ChildProcess;
  /** Resolves when the process exits. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  stdout(): string;
  stderr(): string;
}

/**
 * How the built CLI is started: "node" runs `node bin/ballot-ocr.js …`; "bin" runs the launcher
 * itself (`bin/ballot-ocr.js …`, as the README does), so its `#!` line's memory settings apply.
 */
export type CliLaunch = "node" | "bin";

/** The command and arguments that start the built CLI with `args`. */
export function cliCommand(args: readonly string[], launch: CliLaunch = "node"): [string, string[]] {
  return launch === "bin" ? [BIN, [...args]] : [process.execPath, [BIN, ...args]];
}

/** Runs the built CLI as a child process (see CliLaunch). */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, launch: CliLaunch = "node"): CliRun {
  const [command, commandArgs] = cliCommand(args, launch);
  const child = spawn(command, commandArgs, {
    cwd: REPO,
    env: { ...process.env, BALLOT_OCR_API_KEY: "test-key", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolveDone) => {
    child.on("close", (code, signal) => resolveDone({ code, signal, stdout: out, stderr: err }));
  });
  return { child, done, stdout: () => out, stderr: () => err };
}

export function resultLines(outDir: string): FormResult[] {
  const file = join(outDir, "results.jsonl");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim().length > 0)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as FormResult];
      } catch {
        return []; // a line cut by kill -9
      }
    });
}

/** Documents with a final status in the state store (read-only, works after kill -9 thanks to WAL). */
export function finishedIds(outDir: string): string[] {
  const db = new Database(join(outDir, "state.sqlite"), { readonly: true });
  try {
    return db.prepare<[], string>("SELECT id FROM documents WHERE status != 'pending'").pluck().all();
  } finally {
    db.close();
  }
}

export function readTruth(dir: string): SynthTruthLine[] {
  return readFileSync(join(dir, "truth.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as SynthTruthLine);
}

/** The generator's truth in `dir`, by file hash (the document id): what a fake provider answers from. */
export function readTruthBySha(dir: string): Map<string, FormResult> {
  return new Map(readTruth(dir).map((line) => [line.sha256, line.truth]));
}

/** `process INPUTS --out OUT --base-url URL --model fake-vision-model`, then `extra`: a run against a fake provider. */
export function fakeProcessArgs(inputs: string, out: string, baseUrl: string, ...extra: string[]): string[] {
  return ["process", inputs, "--out", out, "--base-url", baseUrl, "--model", "fake-vision-model", ...extra];
}

export async function waitFor(condition: () => boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return condition();
}
