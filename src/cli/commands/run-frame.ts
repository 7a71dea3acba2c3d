import type { BatchSummary } from "../../batch/engine.js";
import type { Reference } from "../../reference/reference.js";
import type { Store } from "../../storage/store.js";
import { describeOutputs, regenerateExports } from "../../workspace/exports.js";
import { statePath } from "../../workspace/state-path.js";
import type { CliContext } from "../cli-context.js";
import { createProgressRenderer, type ProgressMode, type ProgressRenderer } from "../progress/progress-renderer.js";
import { type RunKind, reportRun } from "../run-report.js";

/** The progress display of a `process` run, on stderr. */
export function runProgressRenderer(mode: ProgressMode, context: CliContext): ProgressRenderer {
  return createProgressRenderer(mode, {
    write: (text) => context.stderr.write(text),
    isTTY: context.stderrIsTTY,
    stream: context.stderr,
  });
}

export interface FinishedRun {
  readonly kind: RunKind;
  readonly summary: BatchSummary;
  readonly store: Store;
  readonly outDir: string;
  /** --out as the person typed it. */
  readonly outArg: string;
  /** The command recorded in the exports' provenance. */
  readonly command: string;
  /** The command that resumes the run, as it may be shown. */
  readonly resumeCommand: string;
  readonly provider: string;
  readonly model: string;
  readonly reference: Reference | undefined;
  readonly pdf: boolean;
  readonly extraLines?: readonly string[];
}

/** The end of a `process` run, local or queued: the exports (none when cancelled), then the report and the exit code. */
export async function finishRun(run: FinishedRun, context: CliContext): Promise<number> {
  const exported =
    run.summary.end === "cancelled"
      ? null
      : await regenerateExports(
          run.store,
          run.outDir,
          { generatedAt: new Date().toISOString(), command: run.command, provider: run.provider, model: run.model },
          { ...(run.reference ? { reference: run.reference } : {}), pdf: run.pdf },
        );
  return reportRun(
    {
      kind: run.kind,
      summary: run.summary,
      exported,
      resumeCommand: run.resumeCommand,
      outArg: run.outArg,
      statePath: statePath(run.outDir),
      failures: () => run.store.listDocuments({ status: ["failed"], limit: 10 }),
      describeOutputs,
      ...(run.extraLines ? { extraLines: run.extraLines } : {}),
    },
    { out: (line) => context.stdout.write(`${line}\n`), err: (line) => context.stderr.write(`${line}\n`) },
  );
}
