import type { CellId, Witness } from "../forms/evidence.js";
import type { FormResult, TotalKey } from "../forms/form-result.js";
import type { PreparedPage } from "../ingest/types.js";
import type { CellCropPool } from "../local/cell-crop-pool.js";
import { cellKeyOfRef } from "../local/cell-crops.js";
import type { ExtractionImage } from "../providers/provider.js";
import { type CellRef, cellIdOf } from "../verify/cells.js";
import { neededVerdicts, readingWitness } from "../verify/verdict.js";
import { cellFromReply } from "./cells.js";
import { REASK_REPLY_SCHEMA_NAME, ReaskReplySchema } from "./model-reply.js";
import { cropPrompt } from "./prompts.js";
import { sendablePages } from "./read-requests.js";
import type { WitnessContext, WitnessReport, WitnessSource } from "./types.js";

/** A form with more disputed cells than this has a bigger problem than a few cells; review takes it. */
export const MAX_CROP_REASKS = 8;

export interface CropReaskSettings {
  /** "provider:model" of the first model, which the crops are sent to. */
  readonly source: string;
  readonly crops: CellCropPool;
  /** The document's count pages at full resolution (the prepared pages are downscaled). */
  readonly fullResolution: (context: WitnessContext) => Promise<readonly PreparedPage[]>;
  readonly maxCells?: number;
}

/** What a crop re-ask sent, for the cost tables: the crops' bytes, and what whole pages would have been. */
export interface CropBytes {
  readonly requests: number;
  readonly cropBytes: number;
  readonly wholePageBytes: number;
}

/** The needed cells whose witnesses disagree. */
export function disputedCells(decided: FormResult): CellRef[] {
  return neededVerdicts(decided).flatMap(({ ref, verdict }) => (verdict === "disputed" ? [ref] : []));
}

/**
 * Asks the first model again about each disputed cell, one fresh request per cell showing only a
 * crop of that cell's line (digits and words) cut from the full-resolution page where the local
 * layout placed it; the band between the neighbouring rows where the page has no layout; the page
 * where nothing was placed. Never shows an earlier reading. A crop re-read is evidence of which
 * row a value belongs to, not a second witness of the digits (kind "crop").
 */
export async function cropReask(
  context: WitnessContext,
  decided: FormResult,
  settings: CropReaskSettings,
  onBytes?: (bytes: CropBytes) => void,
): Promise<WitnessReport | null> {
  const cells = disputedCells(decided).slice(0, settings.maxCells ?? MAX_CROP_REASKS);
  if (cells.length === 0) return null;
  const full = sendablePages(await settings.fullResolution(context));
  if (full.length === 0) return null;
  const rowPage = new Map(decided.votes.flatMap((row) => (row.page != null ? [[row.number, row.page] as const] : [])));
  const requests = cells.map((ref) => {
    const hint = ref.kind === "row" ? rowPage.get(ref.number) : undefined;
    return { key: cellKeyOfRef(ref), ...(hint !== undefined ? { pageHint: hint } : {}) };
  });
  const cut = await settings.crops.crop(
    full.map((page) => ({ page: page.index, data: page.jpeg as Buffer })),
    requests,
    { signal: context.signal },
  );
  const wholePage = new Map(context.pages.map((page) => [page.index, page.jpeg?.length ?? 0]));
  const found = new Map<CellId, Witness[]>();
  const notes: string[] = [];
  let cropBytes = 0;
  let wholePageBytes = 0;
  let sent = 0;
  for (const [i, ref] of cells.entries()) {
    const crop = cut.crops[i];
    if (!crop) continue;
    const images: ExtractionImage[] = [{ page: crop.region.page, mime: "image/jpeg", data: Buffer.from(crop.digits) }];
    if (crop.words) images.push({ page: crop.region.page, mime: "image/jpeg", data: Buffer.from(crop.words) });
    const prompt = cropPrompt({
      documentId: context.doc.id,
      page: crop.region.page,
      cell: ref.kind === "row" ? { row: ref.number } : { total: ref.key },
      region: crop.region.kind,
    });
    const outcome = await context.gate.call(
      {
        documentId: context.doc.id,
        purpose: "reask",
        promptVersion: prompt.promptVersion,
        system: prompt.system,
        user: prompt.user,
        images,
        replySchema: ReaskReplySchema,
        schemaName: REASK_REPLY_SCHEMA_NAME,
      },
      context.signal,
    );
    context.count(outcome);
    sent++;
    cropBytes += images.reduce((sum, image) => sum + image.data.length, 0);
    wholePageBytes += wholePage.get(crop.region.page) ?? 0;
    if (outcome.kind !== "ok") {
      notes.push(`crop re-ask of ${describe(ref)}: ${outcome.kind}`);
      if (outcome.kind === "fatal" && outcome.scope === "batch") break;
      if (outcome.kind === "rate_limited") break;
      continue;
    }
    const reply =
      ref.kind === "row" ? outcome.reply.rows.find((row) => row.number === ref.number) : outcome.reply.totals[ref.key as TotalKey];
    if (!reply) continue;
    found.set(cellIdOf(ref), [readingWitness("crop", settings.source, ref, cellFromReply(reply), crop.region.page)]);
  }
  onBytes?.({ requests: sent, cropBytes, wholePageBytes });
  return { cells: found, ...(notes.length > 0 ? { notes } : {}) };
}

function describe(ref: CellRef): string {
  return ref.kind === "row" ? `row ${ref.number}` : ref.key;
}

/** Crop re-asks as a witness source: after the verdict, for the disputed cells only. */
export function cropReaskSource(settings: CropReaskSettings, onBytes?: (bytes: CropBytes) => void): WitnessSource {
  return { name: "crop", review: (context, decided) => cropReask(context, decided, settings, onBytes) };
}
