/**
 * The offline reader's CPU per page, read one page at a time on this thread: the process's CPU
 * is then the reader's own (a run reads pages on several threads at once, and Node 20 has no
 * per-thread CPU clock, so the figures a run reports count every thread).
 *
 *   npx tsx bench/reader-cpu.ts [folder=../shared/samples]
 */
import { pageImage, sendablePages } from "../src/extract/read-requests.js";
import { discoverDocuments } from "../src/ingest/discover.js";
import { DEFAULT_PREPARE_OPTIONS, prepareDocument } from "../src/ingest/prepare.js";
import { type PageImage, readPage } from "../src/local/local-reader.js";
import { loadLocalModel } from "../src/local/recognize/local-model.js";

const folder = process.argv[2] ?? "../shared/samples";
const found = await discoverDocuments([folder]);
const model = await loadLocalModel();
// The pages the offline witness reads in a run: every prepared page but signature pages.
const pages: PageImage[] = [];
for (const doc of found.documents) {
  const prepared = await prepareDocument(doc, DEFAULT_PREPARE_OPTIONS, new AbortController().signal);
  if (prepared.ok) pages.push(...sendablePages(prepared.value).map(pageImage));
}
const started = process.cpuUsage();
const wall = performance.now();
for (const image of pages) await readPage(image, model);
const used = process.cpuUsage(started);
const cpuSeconds = (used.user + used.system) / 1e6;
console.log(
  `${pages.length} count pages from ${found.documents.length} documents in ${folder}: ${(cpuSeconds / pages.length).toFixed(3)} s CPU per page, ${((performance.now() - wall) / 1000 / pages.length).toFixed(3)} s wall`,
);
