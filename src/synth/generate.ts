import { mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { type FormCode, type FormKind, formLayout } from "../forms/form-kind.js";
import type { PageInfo } from "../forms/form-result.js";
import { degradePage, type NoiseLevel } from "./degrade.js";
import { documentPath } from "./document-path.js";
import { pageCount, renderPage } from "./render-page.js";
import { createRng, type Rng } from "./rng.js";
import { type Correction, generateSynthForm, type InjectedError, type SynthForm, synthFormToResult } from "./truth.js";
import { type EncodedPage, type OutputFormat, writeDocument } from "./write-document.js";

export const SYNTH_KINDS = ["constituency", "party_list", "mixed"] as const;
export type SynthKind = (typeof SYNTH_KINDS)[number];

export interface SynthBatchOptions {
  readonly outDir: string;
  readonly count: number;
  readonly kind: SynthKind;
  /** One form code for every document; mixed when absent. */
  readonly form?: FormCode;
  readonly seed: number;
  readonly format: OutputFormat;
  readonly noise: NoiseLevel;
  /** Probability that a document gets one injected inconsistency. */
  readonly errorRate: number;
  /** Render resolution; 150 dpi unless given. */
  readonly dpi?: number;
  /** Called after each document is written. */
  readonly onDocument?: (event: { index: number; count: number; path: string }) => void;
}

export interface SynthBatchResult {
  readonly documents: number;
  readonly truthPath: string;
}

/** One line of truth.jsonl. */
export interface SynthTruthLine {
  readonly path: string;
  readonly paths: readonly string[];
  readonly sha256: string;
  readonly truth: ReturnType<typeof synthFormToResult>;
  readonly injected: readonly InjectedError[];
  /** Struck-through numbers drawn beside final digits; they do not count. */
  readonly corrections: readonly Correction[];
}

export const TRUTH_FILE = "truth.jsonl";

function chooseFormCode(rng: Rng, fixed: FormCode | undefined): FormCode {
  return (
    fixed ??
    rng.weighted<FormCode>([
      ["5/18", 5],
      ["5/17", 3],
      ["5/16", 2],
    ])
  );
}

function chooseKind(rng: Rng, kind: SynthKind): FormKind {
  return kind === "mixed" ? (rng.chance(0.5) ? "constituency" : "party_list") : kind;
}

/** The logical identity of a document: two documents must never share it. */
function documentKey(form: SynthForm): string {
  const loc = form.location;
  return [loc.province, loc.constituency, form.formCode, form.formKind, loc.unit, loc.setNumber].join("|");
}

/** Moves a form to the next unit or set until its identity is unused. */
function makeUnique(form: SynthForm, used: Set<string>): SynthForm {
  let current = form;
  while (used.has(documentKey(current))) {
    const loc = current.location;
    current = {
      ...current,
      location: { ...loc, unit: loc.unit === null ? null : loc.unit + 1, setNumber: loc.setNumber === null ? null : loc.setNumber + 1 },
    };
  }
  used.add(documentKey(current));
  return current;
}

async function encodePage(form: SynthForm, index: number, rng: Rng, options: SynthBatchOptions): Promise<EncodedPage> {
  const raw = renderPage(form, index, rng, {
    dpi: options.dpi ?? 150,
    scannerFooter: options.noise !== "none" && rng.fork("footer").chance(0.7),
  });
  const page = await degradePage(raw, options.noise, rng.fork(`noise-${index}`));
  const image = sharp(page.data, { raw: { width: page.width, height: page.height, channels: 3 } });
  const bytes =
    options.format === "pdf" ? await image.jpeg({ quality: 85 }).toBuffer() : await image.png({ compressionLevel: 6 }).toBuffer();
  return { bytes, width: page.width, height: page.height };
}

/**
 * Writes `count` synthetic forms under `outDir` and a truth.jsonl describing each exactly.
 * Documents are made one at a time; the same options give byte-identical output.
 */
export async function generateSynthBatch(options: SynthBatchOptions, signal?: AbortSignal): Promise<SynthBatchResult> {
  await mkdir(options.outDir, { recursive: true });
  const truthPath = join(options.outDir, TRUTH_FILE);
  const truthFile = await open(truthPath, "w");
  const root = createRng(options.seed);
  const used = new Set<string>();
  try {
    for (let index = 0; index < options.count; index++) {
      signal?.throwIfAborted();
      const rng = root.fork(`document-${index}`);
      const formCode = chooseFormCode(rng.fork("code"), options.form);
      const formKind = chooseKind(rng.fork("kind"), options.kind);
      const form = makeUnique(generateSynthForm(rng.fork("truth"), { formCode, formKind, errorRate: options.errorRate }), used);
      const relativePath = documentPath(formCode, formKind, form.location, rng.fork("path"));
      const pages: EncodedPage[] = [];
      for (let page = 1; page <= pageCount(form); page++) pages.push(await encodePage(form, page, rng.fork(`render-${page}`), options));
      const written = await writeDocument(options.outDir, relativePath, options.format, pages);
      const layout = formLayout(formKind);
      const pageInfo: PageInfo[] = pages.map((page, i) => ({
        index: i + 1,
        role: layout[i]?.role ?? "unknown",
        sent: layout[i]?.role === "counts",
        sourceWidth: page.width,
        sourceHeight: page.height,
      }));
      const truth = synthFormToResult(form, { id: written.id, sources: written.sources, pages: pageInfo });
      const paths = written.sources.map((source) => source.path);
      const line: SynthTruthLine = {
        path: paths[0] ?? relativePath,
        paths,
        sha256: written.id,
        truth,
        injected: form.injected,
        corrections: form.corrections,
      };
      await truthFile.write(`${JSON.stringify(line)}\n`);
      options.onDocument?.({ index, count: options.count, path: line.path });
    }
  } finally {
    await truthFile.close();
  }
  return { documents: options.count, truthPath };
}
