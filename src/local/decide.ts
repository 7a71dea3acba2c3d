import type { CellId, Witness } from "../forms/evidence.js";
import { CONSTITUENCY_PRINTED_ROWS, type FormKind, PARTY_COUNT } from "../forms/form-kind.js";
import { EMPTY_LOCATION, EMPTY_PROVENANCE, type FormResult, type NumberCell, emptyTotals } from "../forms/form-result.js";
import { ballotsUsedKey, evaluate, formEquations } from "../verify/sum-checks.js";
import { cellIdOf } from "../verify/cells.js";
import { DEFAULT_CONFIDENT_AT, DEFAULT_WITNESS_FLOOR, decideCells, neededCells } from "../verify/verdict.js";
import type { CellKey, LayoutTotalKey } from "./layout/page-layout.js";
import type { LocalDocumentRead } from "./local-read.js";
import type { LocalCellRead } from "./recognize/read-cell.js";

export interface LocalDecision {
  /** True only when every needed cell is read, every sum holds and no other plausible reading fits. */
  readonly verified: boolean;
  /** Cells the reader doubts (missing, unsure or below the confidence bar, and not confirmed). */
  readonly doubtedCells: readonly CellKey[];
  /** Weak cells trusted because the sums hold for their reading and for no other plausible one. */
  readonly confirmedBySums: readonly CellKey[];
  /** The cells the verdict rests on; other cells the reader saw (envelopes and the like) are extras. */
  readonly neededCells: readonly CellKey[];
  /** Extras read with confidence: the only extras worth reporting, since nothing checks the others. */
  readonly confidentExtras: readonly CellKey[];
  /** Human-readable reasons when not verified. */
  readonly reasons: readonly string[];
}

/** A cell whose weakest glyph reaches this is trusted on its own (the verdict's confident bar). */
export const DEFAULT_MIN_CONFIDENCE = DEFAULT_CONFIDENT_AT;

/**
 * Below this a cell is doubted outright; between it and the bar a cell is weak and needs the
 * sums to confirm it (the verdict's witness floor). A form written inconsistently could pass if
 * a weak misread cancelled the officials' own error exactly, so the floor stays where a misread
 * is rare; 0.5 verified no more forms.
 */
export const SUM_CONFIRM_FLOOR = DEFAULT_WITNESS_FLOOR;

/** The id the offline reader signs its readings with. */
export const LOCAL_READER_ID = "local-digits-v1";

export function rowKeys(kind: FormKind): CellKey[] {
  const count = kind === "constituency" ? CONSTITUENCY_PRINTED_ROWS : PARTY_COUNT;
  return Array.from({ length: count }, (_, i) => `row:${i + 1}` as const);
}

/**
 * The offline reader's reading of one cell as a witness. A confident reading states no doubts; a
 * weak one lists the other values its glyphs could spell, for the sums to rule out.
 */
export function localWitness(cell: LocalCellRead, minConfidence = DEFAULT_MIN_CONFIDENCE, page?: number): Witness {
  return {
    kind: "local",
    source: LOCAL_READER_ID,
    digits: cell.digits,
    words: null,
    value: cell.value,
    confidence: cell.confidence,
    alternatives: cell.confidence >= minConfidence ? [] : [...cell.otherValues],
    ...(page !== undefined ? { page } : {}),
  };
}

/** The local reading of one cell as a result cell; a reading below the floor is unknown. */
function resultCell(cell: LocalCellRead | undefined, minConfidence: number, floor: number): NumberCell {
  if (!cell || cell.value === null || cell.confidence < floor) return { digits: null, words: null, value: null, mark: "illegible" };
  const witnesses = [localWitness(cell, minConfidence)];
  if (cell.mark === "blank") return { digits: null, words: null, value: null, mark: "blank", witnesses };
  if (cell.mark === "dash") return { digits: "-", words: null, value: 0, mark: "dash", witnesses };
  return { digits: cell.digits, words: null, value: cell.value, mark: "digits", witnesses };
}

/**
 * The local reading as a form, holding only the cells the verdict needs: the vote rows, good,
 * bad, no-vote, the total line and the ballots line (on 5/18 the used line with received and
 * remaining; elsewhere received, or, left blank, the ballots found in envelopes, chosen by
 * sum-checks' ballotsUsedKey). A needed cell not found or below the floor is illegible.
 */
function localDraft(read: LocalDocumentRead, kind: FormKind, minConfidence: number, floor: number): FormResult {
  const hasUsedLine = read.cells.has("ballotsUsed");
  const totals = emptyTotals();
  const lines: LayoutTotalKey[] = hasUsedLine
    ? ["good", "bad", "noVote", "voteTotal", "ballotsUsed", "ballotsReceived", "ballotsRemaining"]
    : ["good", "bad", "noVote", "voteTotal", "ballotsReceived", "ballotsInEnvelopes"];
  for (const key of lines) {
    if (key === "ballotsInEnvelopes" && !read.cells.has(key)) continue;
    totals[key] = resultCell(read.cells.get(key), minConfidence, floor);
  }
  const draft: FormResult = {
    schemaVersion: 1,
    document: { id: "0".repeat(64), sources: [{ path: "local", sha256: "0".repeat(64), bytes: 0 }], pages: [] },
    // Only the ballots line's choice depends on the code: 5/18 prints a used line, 5/17 may fall back to envelopes.
    formCode: hasUsedLine ? "5/18" : "5/17",
    formKind: kind,
    location: EMPTY_LOCATION,
    totals,
    votes: rowKeys(kind).map((key, i) => ({ number: i + 1, ...resultCell(read.cells.get(key), minConfidence, floor) })),
    checks: [],
    status: "verified",
    reasons: [],
    provenance: EMPTY_PROVENANCE,
  };
  // The ballot line the sums use stands in for the others: they are not needed.
  const chosen = ballotsUsedKey(draft) ?? "ballotsReceived";
  if (!hasUsedLine) {
    for (const key of ["ballotsReceived", "ballotsInEnvelopes"] as const) if (key !== chosen) totals[key] = null;
  }
  return draft;
}

/** A note for each page the reader could not lay out. */
export function layoutNotes(read: LocalDocumentRead): string[] {
  return read.pages.filter((p) => p.failure).map((p) => `page ${p.page}: no layout (${p.failure})`);
}

/**
 * The local verdict: the one verdict rule (verify/verdict.ts) with the offline reader as the only
 * witness. The form is verified when every needed cell is read, every sum holds, and each cell is
 * pinned: the sums hold for its reading and for no other of the plausible readings the reader
 * reports for its weak cells. A wrong reading then passes only if it is outside every plausible
 * reading and another error cancels it exactly.
 */
export function decideLocal(
  read: LocalDocumentRead,
  minConfidence = DEFAULT_MIN_CONFIDENCE,
  floor = Math.min(SUM_CONFIRM_FLOOR, minConfidence),
): LocalDecision {
  // A page without a table may be a signature page: only missing cells count against the form.
  const notes = layoutNotes(read);
  if (!read.kind) return refuse([], [], [], ["form kind not recognised", ...notes]);
  const draft = localDraft(read, read.kind, minConfidence, floor);
  const needed = neededCells(draft).map(cellIdOf) as CellKey[];
  const confidentExtras = [...read.cells]
    .filter(([key, cell]) => !needed.includes(key) && cell.value !== null && cell.confidence >= minConfidence)
    .map(([key]) => key);
  const known = (key: CellKey) => {
    const cell = read.cells.get(key);
    return cell !== undefined && cell.value !== null && cell.confidence >= floor;
  };
  const unread = needed.filter((key) => !known(key));
  const weak = needed.filter((key) => known(key) && (read.cells.get(key)?.confidence ?? 0) < minConfidence);
  const doubtReason = (cells: readonly CellKey[]) => `${cells.length} cell(s) not read with confidence: ${cells.join(", ")}`;
  if (unread.length > 0) {
    const doubted = needed.filter((key) => unread.includes(key) || weak.includes(key));
    return refuse(needed, confidentExtras, doubted, [doubtReason(doubted), ...notes]);
  }

  const failures = formEquations(draft)
    .map(evaluate)
    .filter((e) => e.delta !== 0)
    .map((e) => `${e.equation.leftLabel} come to ${e.left}, ${e.equation.rightLabel} read ${e.right}`);
  const ballotsKey = ballotsUsedKey(draft);
  if (draft.totals.good?.mark !== "digits") failures.push("good ballots not written as digits");
  if (ballotsKey === null || draft.totals[ballotsKey]?.mark !== "digits")
    failures.push(`${ballotsKey ?? "the ballots line"} not written as digits`);
  const verdict = decideCells(
    { ...draft, status: failures.length === 0 ? "verified" : "needs_review" },
    { confidentAt: minConfidence, witnessFloor: floor },
  );
  const unsettled = verdict.cells.filter((c) => c.verdict !== "pinned" && c.verdict !== "agreed").map((c) => cellIdOf(c.ref) as CellKey);
  if (failures.length > 0 || verdict.status !== "verified") {
    const doubted = needed.filter((key) => weak.includes(key) || unsettled.includes(key as CellId as CellKey));
    const sums = failures.length > 0 ? failures : verdict.reasons;
    return refuse(needed, confidentExtras, doubted, [...(doubted.length > 0 ? [doubtReason(doubted)] : []), ...sums, ...notes]);
  }
  return { verified: true, doubtedCells: [], confirmedBySums: weak, neededCells: needed, confidentExtras, reasons: [] };
}

function refuse(
  neededCells: readonly CellKey[],
  confidentExtras: readonly CellKey[],
  doubtedCells: readonly CellKey[],
  reasons: readonly string[],
): LocalDecision {
  return { verified: false, doubtedCells, confirmedBySums: [], neededCells, confidentExtras, reasons };
}
