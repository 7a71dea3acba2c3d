import { formatDuration } from "../basics/format.js";
import { nextUtcMidnight } from "../basics/utc-day.js";
import type { BatchSummary } from "../batch/engine.js";
import type { RunEnd } from "../batch/events.js";
import type { ProcessingError } from "../forms/form-result.js";
import type { ExportSummary } from "../workspace/exports.js";
import { quoteArg } from "./cli-context.js";
import { terminalSafe } from "./terminal-text.js";

/** `process` exit codes, one per way a run ends (the README's contract). */
export const EXIT_CODES: Readonly<Record<RunEnd, number>> = {
  completed: 0,
  completed_with_failures: 1,
  fatal: 2,
  quota: 3,
  budget: 3,
  cancelled: 130,
};

export function exitCodeFor(end: RunEnd): number {
  return EXIT_CODES[end];
}

/** Where the run happened: on this machine, or through a queue read by workers. */
export type RunKind = "local" | "queued";

export interface RunReport {
  readonly kind: RunKind;
  readonly summary: BatchSummary;
  /** The exports written at the end (null for a cancelled run, which writes none). */
  readonly exported: ExportSummary | null;
  /** The command that resumes this run, as it may be shown (no secrets). */
  readonly resumeCommand: string;
  /** --out as the person typed it. */
  readonly outArg: string;
  readonly statePath: string;
  /** The first failed documents, for completed_with_failures. */
  readonly failures: () => readonly { readonly primaryPath: string; readonly error: ProcessingError | null }[];
  /** Lines shown after the document counts (e.g. how the numbers were witnessed). */
  readonly extraLines?: readonly string[];
  /** Outputs as listed to the person (folders shortened). */
  readonly describeOutputs: (files: readonly string[]) => string;
}

export interface ReportTarget {
  out(line: string): void;
  err(line: string): void;
}

const WORDING = {
  local: {
    cancelled: (done: number, total: number, state: string) =>
      `Cancelled. ${done} of ${total} documents finished; state saved in ${state}.`,
    resumeCancelled: "Resume with:",
    retries: "retries",
    quota: (reset: string) => `Stopped: the daily quota is used up. It resets at ${reset} (OpenRouter resets at UTC midnight).`,
    fatal: "Nothing more was sent. Fix the configuration, then resume with:",
  },
  queued: {
    cancelled: (done: number, total: number, state: string) =>
      `Coordinator stopped. ${done} of ${total} documents collected; state saved in ${state}.`,
    resumeCancelled: "Jobs already in the queue are still read by the workers. Resume (and collect) with:",
    retries: "failed attempts",
    quota: (reset: string) =>
      `Stopped: the daily quota is used up; the queue is paused until ${reset} (OpenRouter resets at UTC midnight).`,
    fatal: "Fix the workers' provider configuration, restart them, then resume with:",
  },
} as const;

/**
 * The end-of-run lines of `ballot-ocr process`, with or without --queue, and the exit code.
 * Everything from outside (file names, messages) is shown terminal-safe.
 */
export function reportRun(report: RunReport, target: ReportTarget): number {
  const words = WORDING[report.kind];
  const out = (line: string) => target.out(terminalSafe(line));
  const { summary } = report;
  const c = summary.counts;
  const command = report.resumeCommand;
  if (summary.end === "cancelled" || report.exported === null) {
    out(words.cancelled(c.verified + c.needs_review + c.failed, summary.progress.total, report.statePath));
    out(`${words.resumeCancelled} ${command}`);
    return exitCodeFor("cancelled");
  }
  const p = summary.progress;
  out(`${summary.message.charAt(0).toUpperCase()}${summary.message.slice(1)}.`);
  out(
    `Documents: ${c.verified} verified, ${c.needs_review} needs review, ${c.failed} failed, ${c.pending} pending (${summary.rejected} rejected inputs, ${summary.duplicates} with duplicate paths).`,
  );
  for (const line of report.extraLines ?? []) out(line);
  out(
    `Requests this run: ${p.requests} (${p.retries} ${words.retries}, ${p.rateLimitPauses} rate-limit pauses), cost $${p.costUsd.toFixed(4)}, ${formatDuration(p.elapsedMs)}.`,
  );
  if (p.reusedReplies) out(`Replies reused: ${p.reusedReplies}, paid for by an interrupted run and not asked again.`);
  out(`Outputs: ${report.describeOutputs(report.exported.files)}`);
  if (report.exported.invalid.length > 0)
    out(`Warning: ${report.exported.invalid.length} stored results no longer validate and were left out of the exports.`);
  for (const warning of report.exported.warnings) out(`Warning: ${warning}`);
  switch (summary.end) {
    case "completed":
      break;
    case "completed_with_failures":
      for (const doc of report.failures()) out(`  failed: ${doc.primaryPath}: ${doc.error?.message ?? "unknown"}`);
      out(`See all with: ballot-ocr status --out ${quoteArg(report.outArg)}. Add --retry-failed to try them again.`);
      break;
    case "quota":
      out(words.quota(summary.quotaResetAt ?? new Date(nextUtcMidnight(Date.now())).toISOString()));
      out(`Resume after the reset with: ${command}`);
      out("Or add --wait-for-quota to wait for the reset and carry on.");
      break;
    case "budget":
      out(`Stopped by the budget. Resume (with a larger --max-requests / --max-cost) with: ${command}`);
      break;
    case "fatal":
      target.err(terminalSafe(`error: ${summary.message}`));
      out(`${words.fatal} ${command}`);
      break;
  }
  return exitCodeFor(summary.end);
}
