import { FORM_KINDS, type FormKind } from "../forms/form-kind.js";
import { type FormSummary, UNKNOWN_VOTE } from "./form-summary.js";
import { robustScores } from "./robust-stats.js";
import type { ConstituencyAggregate } from "./rollup.js";

/**
 * Robust outliers among the stations of one constituency (modified z-score on the median and the
 * median absolute deviation). Needs ANOMALY_MIN_STATIONS stations with the measure known.
 */
export const ANOMALY_MIN_STATIONS = 5;
/** Iglewicz and Hoaglin's cut-off for the modified z-score. */
export const ANOMALY_Z_THRESHOLD = 3.5;

export const ANOMALY_RULE_TEXT = `A station is an outlier when its modified z-score (0.6745 × (x − median) ÷ MAD) among the stations of its constituency exceeds ${ANOMALY_Z_THRESHOLD} in absolute value; at least ${ANOMALY_MIN_STATIONS} stations are needed.`;

export type AnomalyMetric = "invalidRate" | "noVoteRate" | "turnout" | "candidateShare";

export interface Anomaly {
  readonly constituencyKey: string;
  readonly kind: FormKind;
  readonly metric: AnomalyMetric;
  /** Row number for candidate share. */
  readonly row: number | null;
  readonly form: FormSummary;
  readonly value: number;
  readonly median: number;
  readonly score: number;
}

type Extractor = (form: FormSummary) => number | null;

function ratio(part: number | null, whole: number | null): number | null {
  return part === null || whole === null || whole <= 0 ? null : part / whole;
}

const METRICS: readonly { metric: AnomalyMetric; value: Extractor }[] = [
  { metric: "invalidRate", value: (f) => ratio(f.counts.bad, f.counts.ballotsUsed) },
  { metric: "noVoteRate", value: (f) => ratio(f.counts.noVote, f.counts.ballotsUsed) },
  { metric: "turnout", value: (f) => ratio(f.counts.votersTurnedUp ?? f.counts.ballotsUsed, f.counts.eligibleVoters) },
];

function outliers(
  area: ConstituencyAggregate,
  kind: FormKind,
  metric: AnomalyMetric,
  row: number | null,
  forms: readonly FormSummary[],
  value: Extractor,
): Anomaly[] {
  const known: FormSummary[] = [];
  const values: number[] = [];
  for (const form of forms) {
    const v = value(form);
    if (v === null) continue;
    known.push(form);
    values.push(v);
  }
  if (values.length < ANOMALY_MIN_STATIONS) return [];
  const { centre, scores } = robustScores(values);
  const found: Anomaly[] = [];
  for (let i = 0; i < values.length; i++) {
    const score = scores[i] ?? 0;
    if (Math.abs(score) > ANOMALY_Z_THRESHOLD) {
      found.push({ constituencyKey: area.key, kind, metric, row, form: known[i]!, value: values[i]!, median: centre, score });
    }
  }
  return found;
}

export function findAnomalies(areas: Iterable<ConstituencyAggregate>): Anomaly[] {
  const found: Anomaly[] = [];
  for (const area of areas) found.push(...areaAnomalies(area));
  return rankAnomalies(found);
}

/** The outliers of one constituency, in the order they are looked for (kind, metric, row, station). */
export function areaAnomalies(area: ConstituencyAggregate): Anomaly[] {
  const found: Anomaly[] = [];
  for (const kind of FORM_KINDS) {
    // Polling units only: advance-voting sets have a different voter mix.
    const forms = area.stations
      .filter((s) => s.identified)
      .map((s) => s.forms[kind])
      .filter((f): f is FormSummary => f !== undefined && f.formCode === "5/18");
    for (const { metric, value } of METRICS) found.push(...outliers(area, kind, metric, null, forms, value));
    if (kind !== "constituency") continue;
    const rows = forms.reduce((max, f) => Math.max(max, f.votes.length), 0);
    for (let row = 1; row <= rows; row++) {
      const share: Extractor = (f) => {
        const votes = f.votes[row - 1];
        return votes === undefined || votes === UNKNOWN_VOTE ? null : ratio(votes, f.counts.good);
      };
      found.push(...outliers(area, kind, "candidateShare", row, forms, share));
    }
  }
  return found;
}

/** The strongest first; equal scores keep the order they were found in (areas in order). */
export function rankAnomalies<T extends { readonly score: number }>(found: readonly T[]): T[] {
  return [...found].sort((a, b) => Math.abs(b.score) - Math.abs(a.score));
}
