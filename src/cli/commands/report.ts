import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { regenerateExports } from "../../workspace/exports.js";
import { statePath } from "../../workspace/state-path.js";
import { loadReference } from "../../reference/load-reference.js";
import { SqliteStore } from "../../storage/sqlite-store.js";
import { type CliContext, UsageError } from "../cli-context.js";

interface ReportOptions {
  out: string;
  reference?: string;
}

/** `ballot-ocr report --out DIR`: regenerate every export from the state store. */
export function registerReportCommand(program: Command, context: CliContext): void {
  program
    .command("report")
    .description("regenerate results.jsonl, votes.csv, stations.csv, constituencies.csv and summary.md from the state store")
    .requiredOption("--out <dir>", "the output folder of a process run")
    .option("--reference <dir>", "ECT reference snapshot for names and comparison with official results")
    .action(async (options: ReportOptions) => {
      context.setExitCode(await writeReport(options, context));
    });
}

export async function writeReport(options: ReportOptions, context: CliContext): Promise<number> {
  const outDir = resolve(options.out);
  const file = statePath(outDir);
  if (!existsSync(file)) throw new UsageError(`no batch state in ${options.out} (expected ${file})`);
  let reference: Awaited<ReturnType<typeof loadReference>> | null = null;
  if (options.reference) {
    reference = await loadReference(options.reference);
    if (!reference.ok) throw new UsageError(`--reference ${options.reference}: ${reference.error.message}`);
  }
  const store = SqliteStore.open(file);
  try {
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
      reference?.ok ? { reference: reference.value } : {},
    );
    for (const path of exported.files) context.stdout.write(`wrote ${path}\n`);
    if (exported.invalid.length > 0) {
      context.stderr.write(`warning: ${exported.invalid.length} stored results no longer validate and were left out:\n`);
      for (const bad of exported.invalid.slice(0, 20)) context.stderr.write(`  ${bad.documentId}: ${bad.error}\n`);
    }
    return 0;
  } finally {
    store.close();
  }
}
