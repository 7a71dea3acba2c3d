import type { FormResult, NumberCell, Totals } from "../../src/forms/form-result.js";

/** A cell as read, without the witnesses and verdict recorded beside it. */
export function readingOnly<C extends NumberCell>(cell: C): Omit<C, "witnesses" | "verdict">;
export function readingOnly<C extends NumberCell>(cell: C | null): Omit<C, "witnesses" | "verdict"> | null;
export function readingOnly<C extends NumberCell>(cell: C | null): Omit<C, "witnesses" | "verdict"> | null {
  if (cell === null) return null;
  const { witnesses: _witnesses, verdict: _verdict, ...reading } = cell;
  return reading;
}

/** The totals and vote rows as read, for comparing a reading with its truth. */
export function cellsAsRead(result: FormResult): {
  totals: Record<keyof Totals, Omit<NumberCell, "witnesses" | "verdict"> | null>;
  votes: unknown[];
} {
  const totals = Object.fromEntries(Object.entries(result.totals).map(([key, cell]) => [key, readingOnly(cell)])) as Record<
    keyof Totals,
    Omit<NumberCell, "witnesses" | "verdict"> | null
  >;
  return { totals, votes: result.votes.map((row) => readingOnly(row)) };
}
