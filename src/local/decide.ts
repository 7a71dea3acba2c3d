import { CONSTITUENCY_PRINTED_ROWS, type FormKind, PARTY_COUNT } from "../forms/form-kind.js";
import type { CellKey } from "./layout/page-layout.js";
import type { LocalDocumentRead } from "./local-read.js";
import type { LocalCellRead } from "./recognize/read-cell.js";

export interface LocalDecision {
  /** True only when every needed cell is confidently read and every sum holds. */
  readonly verified: boolean;
  /** Cells the reader doubts (missing, unsure or below the confidence bar). */
  readonly doubtedCells: readonly CellKey[];
  /** Human-readable reasons when not verified. */
  readonly reasons: readonly string[];
}

/** Glyph probability every cell must reach before the sums are trusted. Tuned on the development set. */
export const DEFAULT_MIN_CONFIDENCE = 0.9;

export function rowKeys(kind: FormKind): CellKey[] {
  const count = kind === "constituency" ? CONSTITUENCY_PRINTED_ROWS : PARTY_COUNT;
  return Array.from({ length: count }, (_, i) => `row:${i + 1}` as const);
}

/**
 * The local verdict. A document is verified only when all vote rows, good, bad, no-vote,
 * the total line and the received count (or, left blank, the ballots found in envelopes)
 * are read with confidence, and: rows sum to good, the total line equals that sum, and
 * good + bad + no-vote equals the ballots received.
 */
export function decideLocal(read: LocalDocumentRead, minConfidence = DEFAULT_MIN_CONFIDENCE): LocalDecision {
  const reasons: string[] = [];
  const doubted: CellKey[] = [];
  // A page without a table may be a signature page: only missing cells count against the form.
  const notes = read.pages.filter((p) => p.failure).map((p) => `page ${p.page}: no layout (${p.failure})`);
  if (!read.kind) return { verified: false, doubtedCells: [], reasons: ["form kind not recognised", ...notes] };
  const confident = (key: CellKey): LocalCellRead | null => {
    const cell = read.cells.get(key);
    if (!cell || cell.value === null || cell.confidence < minConfidence) {
      doubted.push(key);
      return null;
    }
    return cell;
  };
  const rows = rowKeys(read.kind).map(confident);
  const good = confident("good");
  const bad = confident("bad");
  const novote = confident("novote");
  const totalLine = confident("total_line");
  const receivedRead = read.cells.get("received");
  const ballotsKey: CellKey = receivedRead?.mark === "blank" ? "ballots_in_envelopes" : "received";
  const ballots = confident(ballotsKey);
  if (doubted.length > 0) reasons.push(`${doubted.length} cell(s) not read with confidence: ${doubted.join(", ")}`);
  if (rows.every((r) => r !== null) && good && bad && novote && totalLine && ballots) {
    const sum = rows.reduce((s, r) => s + (r?.value ?? 0), 0);
    if (good.mark !== "digits") reasons.push("good ballots not written as digits");
    if (ballots.mark !== "digits") reasons.push(`${ballotsKey} not written as digits`);
    if (sum !== good.value) reasons.push(`rows sum to ${sum}, good ballots read ${good.value}`);
    if (totalLine.value !== sum) reasons.push(`total line read ${totalLine.value}, rows sum to ${sum}`);
    const used = (good.value ?? 0) + (bad.value ?? 0) + (novote.value ?? 0);
    if (used !== ballots.value) reasons.push(`good + bad + no-vote = ${used}, ${ballotsKey} read ${ballots.value}`);
  }
  return { verified: reasons.length === 0, doubtedCells: doubted, reasons: reasons.length === 0 ? [] : [...reasons, ...notes] };
}
