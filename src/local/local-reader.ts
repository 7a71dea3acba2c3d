import type { FormKind } from "../forms/form-kind.js";
import { analyzePage, type CellBox, type CellKey, type PageRole } from "./layout/page-layout.js";
import type { LocalDocumentRead, LocalPageRead } from "./local-read.js";
import { cellInput } from "./recognize/cell-image.js";
import type { CellRecognizer } from "./recognize/cell-recognizer.js";
import type { DigitClassifier, GlyphGuess } from "./recognize/digit-classifier.js";
import { type LocalCellRead, readCell, readWholeCell } from "./recognize/read-cell.js";
import { type Glyph, segmentCell } from "./recognize/segment-cell.js";

export interface PageImage {
  /** 1-based page of the document. */
  readonly page: number;
  readonly data: Buffer;
}

/** Fewer dots than this in an empty cell: the dotted line is not where the layout put the cell. */
const MIN_BASELINE_DOTS = 4;

const UNSURE_BLANK: LocalCellRead = {
  mark: "unsure",
  digits: null,
  value: null,
  confidence: 0,
  doubt: "empty, but no dotted line where the cell should be",
  otherValues: [],
};

/** The reader's model: the whole-cell recognizer, or the older glyph classifier. */
export type LocalModel = CellRecognizer | DigitClassifier;

function isCellRecognizer(model: LocalModel): model is CellRecognizer {
  return "readCells" in model;
}

/** Reads the number cells of one page image. Never throws for a page it cannot lay out. */
export async function readPage(image: PageImage, model: LocalModel): Promise<LocalPageRead> {
  const started = process.cpuUsage();
  const cpuMs = (): number => {
    const used = process.cpuUsage(started);
    return (used.user + used.system) / 1000;
  };
  const layout = await analyzePage(image.data, image.page);
  if (!layout.ok) {
    return { page: image.page, role: null, failure: layout.error.reason, cells: new Map(), cpuMs: cpuMs() };
  }
  const { binary, cells } = layout.value;
  // Ballot totals sit on short dotted lines in running text; vote cells are bounded by rules.
  const inkOf = (cell: CellBox) => segmentCell(binary, cell.box, cell.pitch, !cell.key.startsWith("row:") && cell.key !== "voteTotal");
  if (isCellRecognizer(model)) {
    const readings = await model.readCells(cells.map((cell) => cellInput(layout.value.gray, cell.box, cell.pitch)));
    const reads = new Map<CellKey, LocalCellRead>();
    cells.forEach((cell, i) => {
      const read = readWholeCell(readings[i]!, cell.key.startsWith("row:"));
      reads.set(cell.key, read.mark === "blank" ? checkedBlank(read, inkOf(cell).dots) : read);
    });
    return { page: image.page, role: layout.value.role, failure: null, cells: reads, cpuMs: cpuMs() };
  }
  const classifier = model;
  const inks = cells.map(inkOf);
  const glyphs = inks.flatMap((ink) => ink.glyphs);
  const guesses = await classifier.classify(glyphs.map((g) => g.input));
  const resolved = await resolveTouchingDigits(glyphs, guesses, classifier);
  const reads = new Map<CellKey, LocalCellRead>();
  let next = 0;
  cells.forEach((cell, i) => {
    const ink = inks[i]!;
    const count = ink.glyphs.length;
    const read = readCell(resolved.slice(next, next + count).flat());
    next += count;
    reads.set(cell.key, checkedBlank(read, ink.dots));
  });
  return { page: image.page, role: layout.value.role, failure: null, cells: reads, cpuMs: cpuMs() };
}

/** An empty cell counts as 0 only where its dotted line shows the layout is right. */
function checkedBlank(read: LocalCellRead, dots: number): LocalCellRead {
  return read.mark === "blank" && dots < MIN_BASELINE_DOTS ? { ...UNSURE_BLANK } : read;
}

/**
 * Digits written touching ("25", "649") come out of segmentation as one wide glyph that the
 * classifier calls junk. Such a glyph is replaced by the cut whose pieces are all digits and
 * whose weakest piece is the most certain.
 */
async function resolveTouchingDigits(
  glyphs: readonly Glyph[],
  guesses: readonly GlyphGuess[],
  classifier: DigitClassifier,
): Promise<GlyphGuess[][]> {
  // Every glyph's distinct pieces, classified in one call; each cut names its pieces by index.
  const pieces: Float32Array[] = [];
  const candidates: { glyph: number; pieces: readonly number[] }[] = [];
  glyphs.forEach((glyph, i) => {
    const guess = guesses[i]!;
    // Only a glyph the classifier rejects as a whole is cut: a weak single digit stays one glyph.
    if (guess.label !== "junk") return;
    const split = glyph.splits();
    const first = pieces.length;
    pieces.push(...split.pieces);
    for (const cut of split.cuts) candidates.push({ glyph: i, pieces: cut.map((k) => first + k) });
  });
  const pieceGuesses = await classifier.classify(pieces);
  const result = guesses.map((g) => [g]);
  for (const candidate of candidates) {
    const mine = candidate.pieces.map((k) => pieceGuesses[k]!);
    if (mine.some((g) => g.label === "junk" || g.label === "-")) continue;
    const weakest = Math.min(...mine.map((g) => g.probability));
    const current = result[candidate.glyph]!;
    const currentScore = current.length === 1 && current[0]!.label === "junk" ? 0 : Math.min(...current.map((g) => g.probability));
    if (weakest > currentScore) result[candidate.glyph] = mine;
  }
  return result;
}

/** Reads every page of a document and merges the cells. Pages are read one after another. */
export async function readDocument(
  images: readonly PageImage[],
  model: LocalModel,
  stop?: { readonly aborted: boolean },
): Promise<LocalDocumentRead> {
  const pages: LocalPageRead[] = [];
  for (const image of images) {
    if (stop?.aborted) throw new Error("local read stopped");
    pages.push(await readPage(image, model));
  }
  const cells = new Map<CellKey, LocalCellRead>();
  for (const page of pages) {
    for (const [key, read] of page.cells) {
      const existing = cells.get(key);
      if (!existing || read.confidence > existing.confidence) cells.set(key, read);
    }
  }
  return { kind: kindOf(pages.map((p) => p.role)), pages, cells };
}

function kindOf(roles: readonly (PageRole | null)[]): FormKind | null {
  if (roles.includes("constituency_1")) return "constituency";
  if (roles.some((r) => r?.startsWith("party_list"))) return "party_list";
  return null;
}
