import { type CellReply, emptyHeaderReply, type ModelReply, type RowReply, type TotalsReply } from "../extract/model-reply.js";
import { TOTAL_KEYS } from "../forms/form-result.js";
import { type LocalDecision, rowKeys } from "./decide.js";
import { type CellKey, layoutTotalKey } from "./layout/page-layout.js";
import type { LocalDocumentRead } from "./local-read.js";

/** The reply's mark for a cell the local reader doubts (the prompt's "unreadable"). */
export const UNSURE_DIGITS = "?";

/**
 * The local reading in the shape a vision model answers with, so assembly and checks treat
 * both alike. Cells the verdict needs and the reader doubts come back as "?", so a doubtful form
 * can never pass the checks on a guess. Extra cells (envelopes and the like) are given only when
 * read with confidence, and otherwise left unread (null) rather than flagged: the local verdict
 * does not rest on them. Words are not read locally (null); header fields other than the form
 * kind are left to path metadata.
 */
export function toModelReply(read: LocalDocumentRead, decision: LocalDecision): ModelReply {
  const doubted = new Set<CellKey>(decision.doubtedCells);
  const needed = new Set<CellKey>(decision.neededCells);
  const reportedExtras = new Set<CellKey>(decision.confidentExtras);
  const cell = (key: CellKey): CellReply | null => {
    const local = read.cells.get(key);
    if (!local) return null;
    if (read.kind && !needed.has(key) && !reportedExtras.has(key)) return null;
    const sure = !doubted.has(key) && local.value !== null;
    return sure ? { digits: local.digits, words: null } : { digits: UNSURE_DIGITS, words: null };
  };
  // Layout cells carry the forms' own keys; the reader does not read the voter counts.
  const totals = Object.fromEntries(
    TOTAL_KEYS.map((key) => {
      const layoutKey = layoutTotalKey(key);
      return [key, layoutKey === null ? null : cell(layoutKey)];
    }),
  ) as TotalsReply;
  const rows: RowReply[] = [];
  if (read.kind) {
    for (const key of rowKeys(read.kind)) {
      const reply = cell(key);
      if (reply) rows.push({ number: Number(key.slice(4)), ...reply });
    }
  }
  return {
    header: { ...emptyHeaderReply(), formKind: read.kind },
    totals,
    rows,
  };
}
