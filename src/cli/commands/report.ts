import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { regenerateExports } from "../../workspace/exports.js";
import { statePath } from "../../workspace/state-path.js";
import { takeFolderLock } from "../../workspace/folder-lock.js";
import { enrichStoredResults, recordReference, resolveRunReference } from "../../workspace/run-reference.js";
import { SqliteStore } from "../../storage/sqlite-store.js";
import { type CliContext, UsageError } from "../cli-context.js";
import { terminalSafe } from "../terminal-text.js";

interface ReportOptions {
  out: string;
  reference?: string;
  /** False with --no-pdf. */
  pdf?: boolean;
}

/** `ballot-ocr report --out DIR`: regenerate every export from the state store. */
export function registerReportCommand(program: Command, context: CliContext): void {
  program
    .command("report")
    .description(
      "regenerate results.jsonl, votes.csv, stations.csv, constituencies.csv, summary.md and the PDF reports (pdf/) from the state store",
    )
    .requiredOption("--out <dir>", "the output folder of a process run")
    .option(
      "--reference <dir>",
      "ECT reference snapshot for names and comparison with official results: the stored results are brought up to it, and it is recorded for later runs (default: the one recorded in the folder)",
    )
    .option("--no-pdf", "do not write the PDF reports")
    .action(async (options: ReportOptions) => {
      context.setExitCode(await writeReport(options, context));
    });
}

export async function writeReport(options: ReportOptions, context: CliContext): Promise<number> {
  const outDir = resolve(options.out);
  const file = statePath(outDir);
  if (!existsSync(file)) throw new UsageError(`no batch state in ${options.out} (expected ${file})`);
  const given = await resolveRunReference(null, options.reference);
  if (!given.ok) throw new UsageError(given.error);
  const store = SqliteStore.open(file);
  try {
    let used = given.value;
    if (used) {
      // Writing to the store: not while a run is using the folder.
      const locked = takeFolderLock(outDir);
      if (!locked.ok) throw new UsageError(locked.error.message);
      try {
        recordReference(store, used);
        const changed = enrichStoredResults(store, used.reference);
        context.stdout.write(`reference: ${terminalSafe(used.dir)}; ${changed} stored result(s) brought up to it\n`);
      } finally {
        locked.value.release();
      }
    } else {
      const recorded = await resolveRunReference(store, undefined);
      if (!recorded.ok) throw new UsageError(recorded.error);
      used = recorded.value;
      if (used) context.stdout.write(`reference: ${terminalSafe(used.dir)} (recorded in this folder)\n`);
    }
    const provider = store.getMeta("provider");
    const parsed = provider ? (JSON.parse(provider) as { provider?: string; model?: string }) : {};
    const exported = await regenerateExports(
      store,
      outDir,
      {
        generatedAt: new Date().toISOString(),
        command: store.getMeta("last_command") ?? "ballot-ocr process",
        provider: parsed.provider ?? null,
        model: parsed.model ?? null,
      },
      { ...(used ? { reference: used.reference } : {}), pdf: options.pdf !== false },
    );
    for (const path of exported.files) context.stdout.write(`wrote ${terminalSafe(path)}\n`);
    for (const warning of exported.warnings) context.stderr.write(`warning: ${terminalSafe(warning)}\n`);
    if (exported.invalid.length > 0) {
      context.stderr.write(`warning: ${exported.invalid.length} stored results no longer validate and were left out:\n`);
      for (const bad of exported.invalid.slice(0, 20)) context.stderr.write(`  ${bad.documentId}: ${terminalSafe(bad.error)}\n`);
    }
    return 0;
  } finally {
    store.close();
  }
}
