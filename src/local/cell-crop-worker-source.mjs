// Worker entry used only when the pool runs from TypeScript source (vitest, tsx): a parent's tsx
// hooks do not reach worker threads on Node 20, so the TypeScript worker is loaded through tsx's
// scoped importer instead. Compiled builds use dist/local/cell-crop-worker.js directly.
import { tsImport } from "tsx/esm/api";

const worker = await tsImport("./cell-crop-worker.ts", import.meta.url);
export const cellCropTask = worker.cellCropTask;
