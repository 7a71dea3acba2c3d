import type { FormKind } from "../forms/form-kind.js";
import type { FormSummary } from "./form-summary.js";
import { UNKNOWN_VOTE } from "./form-summary.js";
import { stationKey } from "./station-key.js";

/** One polling station (or counting set) with the form counted for each kind. */
export interface Station {
  /** stationKey(), or "doc:<id>" for a form whose station could not be identified. */
  readonly key: string;
  readonly identified: boolean;
  readonly forms: Partial<Record<FormKind, FormSummary>>;
  /** Other reports of the same station and kind: surfaced, never counted. */
  readonly duplicates: FormSummary[];
}

export type DuplicateKind = "same_station" | "same_content";

export interface Duplicate {
  readonly kind: DuplicateKind;
  /** The form that is counted. */
  readonly counted: FormSummary;
  /** The form left out of every sum. */
  readonly ignored: FormSummary;
  /** Fields whose numbers differ between the two ("good", "bad", "row 3", …); empty = same numbers. */
  readonly differences: readonly string[];
}

const STATUS_RANK: Record<FormSummary["status"], number> = { verified: 3, needs_review: 2, failed: 1 };

/** Which of two reports of one station to count: the better status, then a person's edit, then the first seen. */
function preferred(first: FormSummary, second: FormSummary): FormSummary {
  const byStatus = STATUS_RANK[second.status] - STATUS_RANK[first.status];
  if (byStatus !== 0) return byStatus > 0 ? second : first;
  if (second.edited !== first.edited) return second.edited ? second : first;
  return first;
}

export function compareForms(a: FormSummary, b: FormSummary): string[] {
  const differences: string[] = [];
  for (const key of Object.keys(a.counts) as (keyof FormSummary["counts"])[]) {
    if (a.counts[key] !== b.counts[key]) differences.push(key);
  }
  const rows = Math.max(a.votes.length, b.votes.length);
  for (let i = 0; i < rows; i++) {
    if ((a.votes[i] ?? UNKNOWN_VOTE) !== (b.votes[i] ?? UNKNOWN_VOTE)) differences.push(`row ${i + 1}`);
  }
  return differences;
}

export interface StationGrouping {
  readonly stations: Station[];
  readonly duplicates: Duplicate[];
  /** Forms whose kind (constituency or party-list) is unknown: listed, never summed. */
  readonly unclassified: FormSummary[];
}

/**
 * Group forms into stations. The same content (document id) is counted once; the same station
 * and kind reported twice keeps the preferred report and lists the other as a duplicate.
 */
export function groupStations(forms: Iterable<FormSummary>): StationGrouping {
  const stations = new Map<string, Station>();
  const duplicates: Duplicate[] = [];
  const byContent = new Map<string, FormSummary>();
  const unclassified: FormSummary[] = [];
  for (const form of forms) {
    const sameContent = byContent.get(form.documentId);
    if (sameContent) {
      duplicates.push({ kind: "same_content", counted: sameContent, ignored: form, differences: compareForms(sameContent, form) });
      continue;
    }
    byContent.set(form.documentId, form);
    const kind = form.formKind;
    if (kind === null) {
      unclassified.push(form);
      continue;
    }
    const identifiedKey = stationKey(form);
    const key = identifiedKey ?? `doc:${form.documentId}`;
    let station = stations.get(key);
    if (!station) {
      station = { key, identified: identifiedKey !== null, forms: {}, duplicates: [] };
      stations.set(key, station);
    }
    const existing = station.forms[kind];
    if (!existing) {
      station.forms[kind] = form;
      continue;
    }
    const counted = preferred(existing, form);
    const ignored = counted === existing ? form : existing;
    station.forms[kind] = counted;
    station.duplicates.push(ignored);
    duplicates.push({ kind: "same_station", counted, ignored, differences: compareForms(counted, ignored) });
  }
  return { stations: [...stations.values()], duplicates, unclassified };
}
