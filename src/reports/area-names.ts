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

export function kindLabel(kind: FormKind): string {
  return kind === "constituency" ? "แบ่งเขต (constituency)" : "บัญชีรายชื่อ (party-list)";
}

export function percent(value: number | null, digits = 1): string {
  return value === null || !Number.isFinite(value) ? "–" : `${(value * 100).toFixed(digits)}%`;
}

export function integer(value: number | null): string {
  return value === null ? "–" : value.toLocaleString("en-US");
}
