import type { PartialSum } from "../aggregate/area-totals.js";
import type { ComparisonLevel } from "../aggregate/compare-official.js";
import type { FormKind } from "../forms/form-kind.js";
import type { Reference } from "../reference/reference.js";

/** "แพร่ เขต 1" for "PRE_1", using the reference when it knows the province. */
export function constituencyName(key: string, reference: Reference | undefined): string {
  const cut = key.lastIndexOf("_");
  const provinceKey = cut < 0 ? key : key.slice(0, cut);
  const number = cut < 0 ? "?" : key.slice(cut + 1);
  return `${provinceName(provinceKey, reference)} เขต ${number}`;
}

export function provinceName(key: string, reference: Reference | undefined): string {
  return reference?.province(key)?.name ?? key;
}

/** The area a comparison is at: a constituency, a province, or the country (named `national`). */
export function areaName(level: ComparisonLevel, area: string, reference: Reference | undefined, national: string): string {
  if (level === "constituency") return constituencyName(area, reference);
  return level === "province" ? provinceName(area, reference) : national;
}

export function kindLabel(kind: FormKind): string {
  return kind === "constituency" ? "แบ่งเขต (constituency)" : "บัญชีรายชื่อ (party-list)";
}

export function percent(value: number | null, digits = 1): string {
  return value === null || !Number.isFinite(value) ? "–" : `${(value * 100).toFixed(digits)}%`;
}

export function integer(value: number | null): string {
  return value === null ? "–" : value.toLocaleString("en-US");
}

/**
 * A sum that may include unread cells, for people: "1,297" when every cell was read, else the
 * sum of the cells read as a lower bound with the count missing ("≥ 1,297 (3 cells unread)"),
 * or "?" when nothing in it was read. Never a plain number when a cell is missing.
 */
export function sumText(sum: PartialSum): string {
  return partialSumText(sum, (unread) => `${integer(unread)} ${unread === 1 ? "cell" : "cells"} unread`);
}

/** sumText for the Thai reports: "≥ 1,297 (ยังอ่านไม่ได้ 3 ช่อง)". */
export function sumTextThai(sum: PartialSum): string {
  return partialSumText(sum, (unread) => `ยังอ่านไม่ได้ ${integer(unread)} ช่อง`);
}

function partialSumText(sum: PartialSum, unreadCells: (unread: number) => string): string {
  if (sum.unread === 0) return integer(sum.known);
  const cells = unreadCells(sum.unread);
  return sum.known === 0 ? `? (${cells})` : `≥ ${integer(sum.known)} (${cells})`;
}

/** How the reports explain a "≥" sum, in Thai and English. */
export const PARTIAL_SUM_NOTE =
  "“≥ N” คือผลรวมของช่องที่อ่านได้ ยังไม่ใช่ยอดรวม เพราะยังมีช่องที่อ่านไม่ได้ · “≥ N” is the sum of the cells read, not a total: the cells counted as unread are missing from it.";
