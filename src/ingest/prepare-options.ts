import type { PrepareOptions } from "./types.js";

/**
 * Defaults checked on the real sample scans: 1800 px on the long side (~154 dpi for A4) keeps
 * handwritten Thai digits and words legible, and q82 one-channel JPEG brings a 2480×3509 PNG scan
 * (3.7–4 MB) to ~260 KB and a CamScanner PDF page (0.4–1 MB embedded JPEG) to 270–440 KB.
 * 50 MP is above a 600 dpi A3 scan (~35 MP) and far below a decompression bomb.
 */
export const DEFAULT_PREPARE_OPTIONS: PrepareOptions = {
  maxLongSide: 1800,
  jpegQuality: 82,
  maxPixels: 50_000_000,
  maxPdfPages: 200,
  formKindHint: null,
  formCodeHint: null,
  includeSignaturePages: false,
};
