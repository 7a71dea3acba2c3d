import type { CellId, Witness } from "../forms/evidence.js";
import { pageImage, sendablePages } from "../extract/read-requests.js";
import type { WitnessSource } from "../extract/types.js";
import { DEFAULT_MIN_CONFIDENCE, layoutNotes, localWitness } from "./decide.js";
import type { LocalProvider } from "./local-provider.js";

/**
 * The offline reader as a witness: it reads every count page on its worker threads while the
 * model's requests are out, and reports each cell it found by its place on the page. It never
 * sees the model's answer. Free: no key, no request, no quota.
 */
export function createLocalWitness(local: LocalProvider, minConfidence = DEFAULT_MIN_CONFIDENCE): WitnessSource {
  return {
    name: "local reader",
    readerModel: local.model,
    close: () => local.close(),
    async read({ doc, pages, signal }) {
      const images = sendablePages(pages).map(pageImage);
      if (images.length === 0) return null;
      const { read } = await local.readLocally({ documentId: doc.id, images }, signal);
      const pageOf = new Map<CellId, number>();
      for (const page of read.pages) for (const key of page.cells.keys()) if (!pageOf.has(key)) pageOf.set(key, page.page);
      const cells = new Map<CellId, Witness[]>();
      for (const [key, cell] of read.cells) cells.set(key, [localWitness(cell, minConfidence, pageOf.get(key))]);
      return { cells, cpuMs: read.pages.reduce((sum, p) => sum + p.cpuMs, 0), pagesRead: read.pages.length, notes: layoutNotes(read) };
    },
  };
}
