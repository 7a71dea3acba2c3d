import { inferPathMetadata } from "../forms/path-metadata.js";

/** The same file content found under several paths (the batch engine reads it once). */
export interface ContentCopyInput {
  readonly documentId: string;
  /** Every path with this content, the one that was read first. */
  readonly paths: readonly string[];
}

export interface ContentCopy {
  readonly documentId: string;
  readonly paths: readonly string[];
  /** The station each path names (from its folders and file name), "?" when it names none. */
  readonly stations: readonly string[];
  /** True when the paths name different stations: one image submitted for two stations. */
  readonly differentStations: boolean;
}

/** "แพร่ เขต 1 5/18 หน่วย 3" from a path, or "?" when the path says too little. */
export function pathStation(path: string): string {
  const m = inferPathMetadata(path);
  if (!m.unit && !m.setNumber) return "?";
  return [
    m.province?.value ?? "?",
    `เขต ${m.constituency?.value ?? "?"}`,
    m.formCode?.value ?? "?",
    m.subdistrict?.value ?? "",
    m.unit ? `หน่วย ${m.unit.value}` : "",
    m.setNumber ? `ชุด ${m.setNumber.value}` : "",
  ]
    .filter((part) => part.length > 0)
    .join(" ");
}

/** Every copy is surfaced; the content was read and counted once. */
export function describeContentCopies(inputs: Iterable<ContentCopyInput>): ContentCopy[] {
  const copies: ContentCopy[] = [];
  for (const input of inputs) {
    if (input.paths.length < 2) continue;
    const stations = input.paths.map(pathStation);
    const named = new Set(stations.filter((s) => s !== "?"));
    copies.push({ documentId: input.documentId, paths: [...input.paths], stations, differentStations: named.size > 1 });
  }
  return copies.sort((a, b) => Number(b.differentStations) - Number(a.differentStations));
}
