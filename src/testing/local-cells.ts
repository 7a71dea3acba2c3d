import type { LocalCellRead } from "../local/recognize/read-cell.js";

/** A cell the local reader read as digits, for tests of what is decided from readings. */
export function digitsCell(value: number, confidence = 0.99, otherValues: readonly number[] = []): LocalCellRead {
  return { mark: "digits", digits: String(value), value, confidence, doubt: null, otherValues };
}

/** A cell the local reader could not read. */
export function unsureCell(doubt: string): LocalCellRead {
  return { mark: "unsure", digits: null, value: null, confidence: 0, doubt, otherValues: [] };
}
