import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { generateSynthBatch } from "../../../src/synth/generate.js";
import { type FakeProvider, type FakeProviderOptions, startFakeProvider } from "../../support/fake-provider.js";
import { fakeProcessArgs, readTruthBySha } from "./cli-run.js";

export interface SynthBatch {
  /** A temporary folder for this suite (removed afterwards). */
  root(): string;
  /** The generated forms (constituency PDFs) with their truth.jsonl. */
  forms(): string;
  /** A fake provider answering from the forms' truth; closed after the suite. */
  fakeServer(options?: FakeProviderOptions): Promise<FakeProvider>;
  /** `process <forms> --out <out>` against the fake server, with JSON progress. */
  processArgs(server: FakeProvider, out: string, ...extra: string[]): string[];
}

/** `count` clean constituency PDFs from the generator (seed 11, 72 dpi) with their truth.jsonl, in `outDir`. */
export async function generateTestForms(outDir: string, count: number): Promise<void> {
  await generateSynthBatch({ outDir, count, kind: "constituency", seed: 11, format: "pdf", noise: "none", errorRate: 0, dpi: 72 });
}

/** Registers hooks that generate `count` synthetic forms once for the suite and clean up after it. */
export function useSynthBatch(prefix: string, count: number): SynthBatch {
  let root = "";
  const servers: FakeProvider[] = [];
  const forms = () => join(root, "forms");

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), `${prefix}-`));
    await generateTestForms(forms(), count);
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  return {
    root: () => root,
    forms,
    fakeServer: async (options = {}) => {
      const server = await startFakeProvider({ truth: readTruthBySha(forms()), latencyMs: 50, ...options });
      servers.push(server);
      return server;
    },
    processArgs: (server, out, ...extra) => fakeProcessArgs(forms(), out, server.baseUrl, "--progress", "json", ...extra),
  };
}
