// Worker entry used only when the pool runs from TypeScript source (vitest, tsx): a parent's tsx
// hooks do not reach worker threads on Node 20, so the TypeScript worker is loaded through tsx's
// scoped importer instead. Compiled builds use dist/local/local-read-worker.js directly.
import { tsImport } from "tsx/esm/api";

const worker = await tsImport("./local-read-worker.ts", import.meta.url);
export const localReadTask = worker.localReadTask;
