import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { utcDayStart } from "../../batch/clock.js";
import { estimateDuration } from "../../batch/dry-run.js";
import { isFolderLocked, recordedHolder } from "../../workspace/folder-lock.js";
import { recordedReference } from "../../workspace/run-reference.js";
import { statePath } from "../../workspace/state-path.js";
import type { RateLimits } from "../../batch/rate-limiter.js";
import { SqliteStore } from "../../storage/sqlite-store.js";
import { type CliContext, UsageError } from "../cli-context.js";
import { stripRedisCredentials } from "../../scale/queue-url.js";
import { lineWriter } from "../terminal-text.js";

interface StatusOptions {
  out: string;
  json?: boolean;
}

/** `ballot-ocr status --out DIR`: where a batch stands, and what a resume would do. */
export function registerStatusCommand(program: Command, context: CliContext): void {
  program
    .command("status")
    .description("show a batch's documents by status, failures, requests and cost, and what a resume would do")
    .option("--out <dir>", "the output folder of a process run (required unless --queue is given)")
    // Scale-out (src/scale): the queue's jobs and workers.
    .option("--queue <url>", "show a scale-out queue: waiting, active, done and failed jobs, and the workers")
    .option("--json", "print one JSON object instead of text")
    .action(async (options: Partial<StatusOptions> & { queue?: string }, command: Command) => {
      if (options.queue !== undefined) {
        const { showQueueStatus } = await import("../../scale/queue-status.js");
        const code = await showQueueStatus(options.queue, options.json ?? false, (text) => context.stdout.write(text), context.env);
        context.setExitCode(code);
        if (options.out === undefined || code !== 0) return;
      }
      if (options.out === undefined) {
        command.error("error: required option '--out <dir>' not specified", { code: "commander.missingMandatoryOptionValue" });
      }
      context.setExitCode(showStatus({ ...options, out: options.out }, context));
    });
}

function parseLimits(text: string | null): RateLimits | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<RateLimits>;
    return { rps: value.rps ?? null, rpm: value.rpm ?? null, rpd: value.rpd ?? null };
  } catch {
    return null;
  }
}

interface LastRun {
  readonly end: string;
  readonly message: string;
  readonly quotaResetAt: string | null;
  readonly at: string;
}

function parseLastRun(text: string | null): LastRun | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as LastRun;
  } catch {
    return null;
  }
}

export function showStatus(options: StatusOptions, context: CliContext): number {
  const file = statePath(resolve(options.out));
  if (!existsSync(file))
    throw new UsageError(`no batch state in ${options.out} (expected ${file}); run \`ballot-ocr process … --out ${options.out}\` first`);
  const store = SqliteStore.open(file);
  try {
    const counts = store.countByStatus();
    const total = counts.pending + counts.verified + counts.needs_review + counts.failed;
    const failures = store.listDocuments({ status: ["failed"] });
    const duplicates = store.listDocuments().filter((d) => d.duplicatePaths.length > 0);
    const usage = store.usageTotals();
    const now = Date.now();
    const today = store.countRequestsSince(utcDayStart(now));
    const limits = parseLimits(store.getMeta("limits"));
    // A state store written before credentials were stripped may still hold a Redis password: never print it.
    const storedCommand = store.getMeta("last_command");
    const lastCommand = storedCommand === null ? null : stripRedisCredentials(storedCommand);
    // The kernel-held folder lock says whether a run is going; the store only says whose it is.
    const lock = isFolderLocked(resolve(options.out)) ? (recordedHolder(store) ?? { pid: null, at: null }) : null;
    const lastRun = parseLastRun(store.getMeta("last_run"));
    const reference = recordedReference(store);
    const resumeEstimate = limits ? estimateDuration(counts.pending, limits, today, now) : null;
    if (options.json) {
      context.stdout.write(
        `${JSON.stringify({
          total,
          counts,
          failures: failures.map((d) => ({ path: d.primaryPath, id: d.id, error: d.error })),
          duplicates: duplicates.map((d) => ({ id: d.id, paths: [d.primaryPath, ...d.duplicatePaths] })),
          usage,
          requestsToday: today,
          limits,
          lastCommand,
          lastRun,
          reference,
          running: lock,
          resume: { documents: counts.pending, estimate: resumeEstimate?.text ?? null },
        })}\n`,
      );
      return 0;
    }
    const out = lineWriter((text) => context.stdout.write(text));
    out(`Batch in ${resolve(options.out)}`);
    out(
      `Documents: ${total} — ${counts.verified} verified, ${counts.needs_review} needs review, ${counts.failed} failed, ${counts.pending} pending`,
    );
    out(
      reference
        ? `Reference: ${reference.dir}${reference.snapshotAt ? ` (ECT snapshot ${reference.snapshotAt})` : ""}; a resume and \`report\` use it unless --reference is given`
        : "Reference: none recorded (names, parties and the official comparison need --reference DIR)",
    );
    if (failures.length > 0) {
      out("Failures:");
      for (const doc of failures.slice(0, 50)) out(`  ${doc.primaryPath}: ${doc.error?.code ?? "failed"}: ${doc.error?.message ?? ""}`);
      if (failures.length > 50) out(`  … ${failures.length - 50} more`);
    }
    if (duplicates.length > 0) {
      out(`Same content under several paths (possible duplicate submissions): ${duplicates.length}`);
      for (const doc of duplicates.slice(0, 20)) out(`  ${[doc.primaryPath, ...doc.duplicatePaths].join(" = ")}`);
    }
    out(
      `Requests so far: ${usage.requests}, cost $${usage.costUsd.toFixed(4)}, tokens ${usage.promptTokens} in / ${usage.completionTokens} out`,
    );
    out(`Requests today (UTC): ${today}${limits?.rpd ? ` of ${limits.rpd} allowed per day` : ""}`);
    if (lastRun) {
      const reset = lastRun.quotaResetAt ? ` (the quota resets at ${lastRun.quotaResetAt})` : "";
      out(`Last run ended ${lastRun.at}: ${lastRun.end} — ${lastRun.message}${reset}`);
    }
    if (lock) out(lock.pid === null ? "A run is in progress." : `A run is in progress: pid ${lock.pid}, started ${lock.at}`);
    if (counts.pending === 0 && counts.failed === 0) out("Nothing left to do: a resume would send nothing.");
    else {
      const parts = [`process ${counts.pending} pending documents`];
      if (counts.failed > 0) parts.push(`leave ${counts.failed} failed ones alone (add --retry-failed to try them again)`);
      out(`A resume${lastCommand ? ` (${lastCommand})` : ""} would ${parts.join(" and ")}.`);
      if (resumeEstimate && counts.pending > 0) out(`Estimate for the first reads: ${resumeEstimate.text}`);
    }
    return 0;
  } finally {
    store.close();
  }
}
