import { main } from "../../src/cli/main.js";

export interface InProcessRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Each write to stderr, in order (for progress output). */
  readonly stderrWrites: readonly string[];
}

/** A stream that hands every write to `write`. */
export function textSink(write: (text: string) => void): NodeJS.WritableStream {
  return {
    write: (chunk: string) => {
      write(chunk);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
}

/**
 * Runs the CLI's main() in this process, as `ballot-ocr …argv`, with only PATH and `env` in the
 * environment (no API key leaks in from the shell), capturing stdout and stderr.
 */
export async function runMain(
  argv: readonly string[],
  options: { env?: NodeJS.ProcessEnv; stderrIsTTY?: boolean } = {},
): Promise<InProcessRun> {
  let stdout = "";
  const stderrWrites: string[] = [];
  const code = await main(["node", "ballot-ocr", ...argv], {
    env: { PATH: process.env["PATH"] ?? "", ...options.env },
    stdout: textSink((text) => {
      stdout += text;
    }),
    stderr: textSink((text) => {
      stderrWrites.push(text);
    }),
    ...(options.stderrIsTTY !== undefined ? { stderrIsTTY: options.stderrIsTTY } : {}),
  });
  return { code, stdout, stderr: stderrWrites.join(""), stderrWrites };
}
