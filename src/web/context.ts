import type { CellCropService } from "./cell-crop-service.js";
import type { PageImages } from "./page-images.js";
import type { WebBackend } from "./ports.js";
import type { ReportCache } from "./report-cache.js";
import type { RunManager } from "./run-manager.js";
import type { SseHub } from "./sse-hub.js";
import type { UploadStore } from "./upload-store.js";

/** Everything the route modules share; built once by the server. */
export interface WebContext {
  readonly backend: WebBackend;
  readonly uploads: UploadStore;
  readonly runs: RunManager;
  readonly hub: SseHub;
  readonly reports: ReportCache;
  readonly pages: PageImages;
  /** Crops of each number cell for the review view. */
  readonly crops: CellCropService;
  readonly redact: (text: string) => string;
}
