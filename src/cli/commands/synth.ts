import { type Command, InvalidArgumentError, Option } from "commander";
import type { CliContext } from "../cli-context.js";
import { positiveInteger } from "./process-options.js";
import { FORM_CODES, type FormCode } from "../../forms/form-kind.js";
import { NOISE_LEVELS, type NoiseLevel } from "../../synth/degrade.js";
import { generateSynthBatch, SYNTH_KINDS, type SynthKind } from "../../synth/generate.js";
import { OUTPUT_FORMATS, type OutputFormat } from "../../synth/write-document.js";

function seedValue(text: string): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value)) {
    throw new InvalidArgumentError(`the seed must be a whole number, got "${text}".`);
  }
  return value;
}

function probability(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new InvalidArgumentError(`the error rate must be a probability between 0 and 1, got "${text}".`);
  }
  return value;
}

interface SynthCommandOptions {
  out: string;
  count: number;
  kind: SynthKind;
  form?: FormCode;
  seed: number;
  format: OutputFormat;
  noise: NoiseLevel;
  errorRate: number;
  dpi: number;
}

type SynthOutput = Pick<CliContext, "stdout" | "stderr" | "stderrIsTTY">;

const PROCESS_OUTPUT: SynthOutput = { stdout: process.stdout, stderr: process.stderr, stderrIsTTY: Boolean(process.stderr.isTTY) };
/** Without a terminal, a progress line at most this often (and at the end). */
const PLAIN_PROGRESS_EVERY_MS = 2000;

/** Progress on stderr from the start: a line that updates on a terminal, a line every 2 s otherwise. */
function synthProgress(output: SynthOutput, count: number, outDir: string): { document(done: number): void; end(): void } {
  const started = Date.now();
  let lastLine = 0;
  output.stderr.write(`synth: writing ${count} document${count === 1 ? "" : "s"} to ${outDir}\n`);
  const line = (done: number): string => {
    const elapsed = (Date.now() - started) / 1000;
    const eta = done > 0 && done < count ? `, about ${Math.ceil((elapsed / done) * (count - done))} s left` : "";
    return `${done}/${count} documents, ${elapsed.toFixed(1)} s${eta}`;
  };
  return {
    document(done) {
      if (output.stderrIsTTY) output.stderr.write(`\r\x1b[K${line(done)}`);
      else if (done === count || Date.now() - lastLine >= PLAIN_PROGRESS_EVERY_MS) {
        lastLine = Date.now();
        output.stderr.write(`${line(done)}\n`);
      }
    },
    end() {
      if (output.stderrIsTTY) output.stderr.write("\n");
    },
  };
}

/** `ballot-ocr synth`: synthetic tally forms with a truth.jsonl of their exact content. */
export function registerSynthCommand(program: Command, output: SynthOutput = PROCESS_OUTPUT): void {
  program
    .command("synth")
    .description("write synthetic ส.ส. 5/16, 5/17 and 5/18 forms and a truth.jsonl with their exact expected results")
    .requiredOption("--out <dir>", "output folder")
    .requiredOption("--count <n>", "number of documents", positiveInteger("--count"))
    .addOption(new Option("--kind <kind>", "form kind").choices(SYNTH_KINDS).default("mixed"))
    .addOption(new Option("--form <code>", "form code (default: a mix)").choices(FORM_CODES))
    .option("--seed <s>", "random seed; the same seed gives the same files", seedValue, 1)
    .addOption(new Option("--format <format>", "PDF (one JPEG per page) or a PNG page series").choices(OUTPUT_FORMATS).default("pdf"))
    .addOption(new Option("--noise <level>", "degradation").choices(NOISE_LEVELS).default("none"))
    .option("--error-rate <p>", "probability that a document gets one injected inconsistency", probability, 0)
    .option("--dpi <dpi>", "render resolution", positiveInteger("--dpi"), 150)
    .action(async (options: SynthCommandOptions) => {
      const abort = new AbortController();
      const onSigint = (): void => abort.abort(new Error("interrupted"));
      process.once("SIGINT", onSigint);
      const started = Date.now();
      const progress = synthProgress(output, options.count, options.out);
      try {
        const result = await generateSynthBatch(
          {
            outDir: options.out,
            count: options.count,
            kind: options.kind,
            ...(options.form ? { form: options.form } : {}),
            seed: options.seed,
            format: options.format,
            noise: options.noise,
            errorRate: options.errorRate,
            dpi: options.dpi,
            onDocument: ({ index }) => progress.document(index + 1),
          },
          abort.signal,
        );
        progress.end();
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        output.stdout.write(
          `wrote ${result.documents} document${result.documents === 1 ? "" : "s"} in ${seconds} s; truth: ${result.truthPath}\n`,
        );
      } finally {
        process.off("SIGINT", onSigint);
      }
    });
}
