// Worker entry used only when the pool runs from TypeScript source (vitest, tsx): a parent's tsx
// hooks do not reach worker threads on Node 20 (`--import tsx` in execArgv is not applied to the
// worker's entry), so the TypeScript worker is loaded through tsx's scoped importer instead.
// Compiled builds use dist/ingest/prepare-worker.js directly and never load this file.
import { tsImport } from "tsx/esm/api";

const worker = await tsImport("./prepare-worker.ts", import.meta.url);
export const prepareTask = worker.prepareTask;
