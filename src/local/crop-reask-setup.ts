import { type CropBytes, cropReaskSource } from "../extract/crop-reask.js";
import type { WitnessSource } from "../extract/types.js";
import { createPreparePool, type PreparePool } from "../ingest/prepare-pool.js";
import { DEFAULT_PREPARE_OPTIONS } from "../ingest/prepare.js";
import { type CellCropPool, createCellCropPool } from "./cell-crop-pool.js";

/**
 * Long side of the page a crop is cut from: the scans' own resolution (about 3500 px for an A4
 * page at 300 dpi), where the prepared page sent for the first read is 1800 px.
 */
export const CROP_SOURCE_LONG_SIDE = 3600;

export interface CropReaskWitness extends WitnessSource {
  /** Bytes the crop re-asks sent, against the whole pages a plain re-ask would have sent. */
  readonly bytes: CropBytes;
  close(): Promise<void>;
}

/**
 * Crop re-asks of disputed cells for a run: the document's count pages are prepared again at
 * full resolution (one worker thread, only for documents with a disputed cell), laid out, and
 * each disputed cell's line cut out (another worker thread). The crops go to the first model.
 */
export function createCropReaskWitness(options: { readonly source: string }): CropReaskWitness {
  let prepare: PreparePool | null = null;
  let crops: CellCropPool | null = null;
  const bytes = { requests: 0, cropBytes: 0, wholePageBytes: 0 };
  const source = cropReaskSource(
    {
      source: options.source,
      get crops() {
        crops ??= createCellCropPool();
        return crops;
      },
      async fullResolution(context) {
        prepare ??= createPreparePool({ threads: 1 });
        const prepared = await prepare.prepare(
          context.doc,
          { ...DEFAULT_PREPARE_OPTIONS, maxLongSide: CROP_SOURCE_LONG_SIDE, jpegQuality: 90 },
          context.signal,
        );
        // A page that cannot be prepared again is cut from the prepared page instead.
        return prepared.ok ? prepared.value : context.pages;
      },
    },
    (sent) => {
      bytes.requests += sent.requests;
      bytes.cropBytes += sent.cropBytes;
      bytes.wholePageBytes += sent.wholePageBytes;
    },
  );
  return {
    ...source,
    bytes,
    async close() {
      await Promise.all([prepare?.close(), crops?.close()]);
      prepare = null;
      crops = null;
    },
  };
}
