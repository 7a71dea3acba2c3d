/**
 * Loose page images that belong together: `page-1.png`, `page-2.png`; `form_p1.jpg`, `form_p2.jpg`;
 * `form-page-01.png`; `หน้า 1.jpg`; `form (1).png`, `form (2).png`.
 *
 * Rules (deliberately conservative, because a wrong grouping merges two forms):
 * - members sit in the same folder and share the stem (case-insensitive) and the naming style;
 * - a bare trailing number (`IMG_0001.jpg`, `scan-3.png`) is NOT a page marker: cameras and
 *   scanners number whole documents that way;
 * - a series needs at least two members whose page numbers are unique and run without a gap
 *   from 0 or 1; otherwise every file stays a document of its own.
 */

export interface SeriesName {
  /** Lower-cased shared part of the name, without the page marker. */
  readonly stem: string;
  readonly style: "page-word" | "p-marker" | "parenthesised";
  readonly page: number;
}

const PAGE_WORD = /^(.*?)[\s._-]*(?:page|หน้าที่|หน้า)[\s._-]*0*(\d{1,4})$/iu;
const P_MARKER = /^(?:(.*?)[\s._-]+)?(?:pg|p)[\s._-]*0*(\d{1,4})$/iu;
const PARENTHESISED = /^(.*?)\s*\(0*(\d{1,4})\)$/u;

/** Reads a page marker from a file name without its extension. */
export function parseSeriesName(baseName: string): SeriesName | null {
  const name = baseName.normalize("NFC");
  const styles = [
    ["page-word", PAGE_WORD],
    ["p-marker", P_MARKER],
    ["parenthesised", PARENTHESISED],
  ] as const;
  for (const [style, pattern] of styles) {
    const match = pattern.exec(name);
    if (match?.[2] === undefined) continue;
    return { stem: (match[1] ?? "").toLowerCase(), style, page: Number(match[2]) };
  }
  return null;
}

export interface SeriesCandidate {
  readonly path: string;
  /** The folder the file sits in, as a comparable key. */
  readonly folder: string;
  /** File name without extension. */
  readonly baseName: string;
}

export type Grouped<T extends SeriesCandidate> =
  | { readonly kind: "single"; readonly file: T }
  | { readonly kind: "series"; readonly pages: readonly T[] };

function isContiguous(sortedPages: readonly number[]): boolean {
  const first = sortedPages[0];
  if (first === undefined || first > 1) return false;
  return sortedPages.every((page, i) => page === first + i);
}

/** Splits candidate images into page series and single files. Order of the input is kept for singles. */
export function groupPageSeries<T extends SeriesCandidate>(files: readonly T[]): Grouped<T>[] {
  const byKey = new Map<string, { file: T; page: number }[]>();
  const keyOf = new Map<T, string>();
  for (const file of files) {
    const parsed = parseSeriesName(file.baseName);
    if (!parsed) continue;
    const key = `${file.folder}\u0000${parsed.style}\u0000${parsed.stem}`;
    const members = byKey.get(key) ?? [];
    members.push({ file, page: parsed.page });
    byKey.set(key, members);
    keyOf.set(file, key);
  }

  const seriesKeys = new Set<string>();
  for (const [key, members] of byKey) {
    if (members.length < 2) continue;
    const pages = members.map((m) => m.page).sort((a, b) => a - b);
    if (isContiguous(pages)) seriesKeys.add(key);
  }

  const result: Grouped<T>[] = [];
  const emitted = new Set<string>();
  for (const file of files) {
    const key = keyOf.get(file);
    if (key === undefined || !seriesKeys.has(key)) {
      result.push({ kind: "single", file });
      continue;
    }
    if (emitted.has(key)) continue;
    emitted.add(key);
    const members = [...(byKey.get(key) ?? [])].sort((a, b) => a.page - b.page);
    result.push({ kind: "series", pages: members.map((m) => m.file) });
  }
  return result;
}
