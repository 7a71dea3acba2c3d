import { FORM_KINDS, type FormKind } from "../forms/form-kind.js";
import type { OfficialAreaResult, OfficialBallotCounts } from "../reference/model.js";
import type { Reference } from "../reference/reference.js";
import { type AreaTotals, exactSum, fieldSum, type KindTotals, type ReportedBallotField, rowSum } from "./area-totals.js";
import { type CoverageCounts, combineCoverage, type Coverage, constituencyCoverage } from "./coverage.js";
import type { FormSummary } from "./form-summary.js";
import type { Rollup } from "./rollup.js";
import type { Station } from "./stations.js";
import { type DiscrepancySeverity, discrepancySeverity, relativeDifference, SEVERITY_RANK } from "./severity.js";

export type ComparisonLevel = "national" | "province" | "constituency";
export type Measure = "turnout" | "valid" | "invalid" | "noVote" | "partyListVotes" | "candidateVotes";

export interface FormLink {
  readonly documentId: string;
  readonly path: string;
  readonly status: FormSummary["status"];
}

export interface Discrepancy {
  readonly level: ComparisonLevel;
  /** "national", a province id ("PRE") or a constituency id ("PRE_1"). */
  readonly area: string;
  readonly kind: FormKind;
  readonly measure: Measure;
  /** Party or candidate, for vote measures: "9 เพื่อไทย", "PRE_1_3 นาย…". */
  readonly subject: string | null;
  readonly ours: number;
  readonly official: number;
  /** ours − official. */
  readonly difference: number;
  readonly relative: number;
  readonly severity: DiscrepancySeverity;
  /** The forms summed into `ours`, the doubtful ones first (at most FORM_LINK_LIMIT). */
  readonly forms: readonly FormLink[];
  readonly formCount: number;
}

/** An area and kind that was not compared, and why. Never reported as a discrepancy. */
export interface NotCompared {
  readonly level: ComparisonLevel;
  readonly area: string;
  readonly kind: FormKind;
  readonly reason: string;
}

export interface Comparison {
  readonly discrepancies: Discrepancy[];
  readonly notCompared: NotCompared[];
  /** Figures compared and found equal. */
  readonly matches: number;
  readonly coverage: {
    readonly constituencies: Map<string, Record<FormKind, Coverage>>;
    readonly provinces: Map<string, Record<FormKind, Coverage>>;
    readonly national: Record<FormKind, Coverage>;
  };
}

export const FORM_LINK_LIMIT = 10;

const BALLOT_MEASURES: readonly {
  measure: Measure;
  official: keyof OfficialBallotCounts;
  ours: ReportedBallotField;
}[] = [
  { measure: "turnout", official: "turnout", ours: "ballotsUsed" },
  { measure: "valid", official: "valid", ours: "good" },
  { measure: "invalid", official: "invalid", ours: "bad" },
  { measure: "noVote", official: "noVote", ours: "noVote" },
];

function officialCounts(result: OfficialAreaResult, kind: FormKind): OfficialBallotCounts {
  return kind === "constituency" ? result.constituency : result.partyList;
}

/** A form summed into an area, with its review rank (the doubtful ones are linked first). */
export interface RankedForm extends FormLink {
  readonly reviewPriority: number;
}

/**
 * What the comparison needs of the forms of one kind counted in one constituency: the coverage
 * counts, how many forms, and the first FORM_LINK_LIMIT by review rank (ties in station order).
 */
export interface AreaForms extends CoverageCounts {
  readonly count: number;
  readonly top: readonly RankedForm[];
}

export interface ComparedConstituency {
  readonly key: string;
  readonly provinceId: string | null;
  readonly constituency: number;
  readonly totals: AreaTotals;
  readonly forms: Record<FormKind, AreaForms>;
}

export interface ComparedProvince {
  readonly key: string;
  readonly provinceId: string | null;
  readonly constituencyKeys: readonly string[];
  readonly totals: AreaTotals;
}

/** The sums to compare: constituencies and provinces in the order their first station was seen. */
export interface ComparisonInput {
  readonly constituencies: ReadonlyMap<string, ComparedConstituency>;
  readonly provinces: ReadonlyMap<string, ComparedProvince>;
  readonly national: AreaTotals;
}

function byReviewRank(forms: readonly RankedForm[]): RankedForm[] {
  return [...forms].sort((a, b) => b.reviewPriority - a.reviewPriority).slice(0, FORM_LINK_LIMIT);
}

/** The counted forms of one kind at these stations (in station order), as the comparison needs them. */
export function areaForms(stations: readonly Station[], kind: FormKind): AreaForms {
  let unitsProcessed = 0;
  let advanceSetsProcessed = 0;
  const forms: RankedForm[] = [];
  for (const station of stations) {
    const form = station.forms[kind];
    if (!form) continue;
    forms.push({ documentId: form.documentId, path: form.path, status: form.status, reviewPriority: form.reviewPriority });
    if (!station.identified) continue;
    if (form.formCode === "5/18") unitsProcessed += 1;
    else advanceSetsProcessed += 1;
  }
  return { unitsProcessed, advanceSetsProcessed, count: forms.length, top: byReviewRank(forms) };
}

/**
 * The forms of several areas (in area order) as one list: the first of each area's own first
 * FORM_LINK_LIMIT are the first of all, since each is ranked the same way.
 */
function mergeAreaForms(parts: readonly AreaForms[]): { links: FormLink[]; count: number } {
  const top = byReviewRank(parts.flatMap((part) => part.top));
  return {
    links: top.map((f) => ({ documentId: f.documentId, path: f.path, status: f.status })),
    count: parts.reduce((sum, part) => sum + part.count, 0),
  };
}

/** The comparison's input from a rollup over stations held in memory. */
export function comparisonInputOf(rollup: Rollup): ComparisonInput {
  const constituencies = new Map<string, ComparedConstituency>();
  for (const area of rollup.constituencies.values()) {
    constituencies.set(area.key, {
      key: area.key,
      provinceId: area.provinceId,
      constituency: area.constituency,
      totals: area.totals,
      forms: { constituency: areaForms(area.stations, "constituency"), party_list: areaForms(area.stations, "party_list") },
    });
  }
  return { constituencies, provinces: rollup.provinces, national: rollup.national };
}

interface AreaToCompare {
  readonly level: ComparisonLevel;
  readonly area: string;
  readonly kind: FormKind;
  readonly totals: KindTotals;
  readonly official: OfficialAreaResult;
  readonly coverage: Coverage;
  /** The forms summed into `totals`, merged from their constituencies. */
  readonly forms: { readonly links: readonly FormLink[]; readonly count: number };
  /** Candidate id for a row number (constituency level, constituency forms only). */
  readonly candidateOf?: (row: number) => { id: string; label: string } | null;
  /** Official candidate votes by candidate id (constituency level only). */
  readonly candidateVotes?: ReadonlyMap<string, number>;
}

/**
 * Compare our sums with the official figures at every level the official data has. An area is
 * compared only when our coverage is complete AND the official count is complete; a measure is
 * compared only when no form in the area left that value unknown.
 */
export function compareWithOfficial(rollup: Rollup, reference: Reference | undefined): Comparison {
  return compareAreas(comparisonInputOf(rollup), reference);
}

/** compareWithOfficial over sums kept elsewhere (the store's overview tables). */
export function compareAreas(rollup: ComparisonInput, reference: Reference | undefined): Comparison {
  const constituencyCoverages = new Map<string, Record<FormKind, Coverage>>();
  const provinceCoverages = new Map<string, Record<FormKind, Coverage>>();
  const discrepancies: Discrepancy[] = [];
  const notCompared: NotCompared[] = [];
  let matches = 0;

  const coverageByKind = (make: (kind: FormKind) => Coverage): Record<FormKind, Coverage> => ({
    constituency: make("constituency"),
    party_list: make("party_list"),
  });

  for (const area of rollup.constituencies.values()) {
    constituencyCoverages.set(
      area.key,
      coverageByKind((kind) => constituencyCoverage(area, area.forms[kind], reference)),
    );
  }
  for (const province of rollup.provinces.values()) {
    const parts = province.constituencyKeys.map((key) => constituencyCoverages.get(key)!);
    const units = reference && province.provinceId ? (reference.province(province.provinceId)?.stations ?? null) : null;
    provinceCoverages.set(
      province.key,
      coverageByKind((kind) =>
        combineCoverage(
          parts.map((p) => p[kind]),
          units,
        ),
      ),
    );
  }
  const nationalUnits = reference
    ? reference.data.provinces.reduce<number | null>((sum, p) => (sum === null || p.stations === null ? null : sum + p.stations), 0)
    : null;
  const national = coverageByKind((kind) =>
    combineCoverage(
      [...provinceCoverages.values()].map((p) => p[kind]),
      nationalUnits,
    ),
  );

  const compare = (item: AreaToCompare): void => {
    const { official, coverage } = item;
    if (!coverage.complete) {
      const of = coverage.unitsInReference === null ? "unknown" : String(coverage.unitsInReference);
      notCompared.push({ ...pick(item), reason: `coverage ${coverage.unitsProcessed}/${of} polling units: a partial sum is not compared` });
      return;
    }
    if (official.countedStations === null || official.totalStations === null || official.countedStations < official.totalStations) {
      notCompared.push({
        ...pick(item),
        reason: `official count incomplete (${official.countedStations ?? "?"}/${official.totalStations ?? "?"} stations)`,
      });
      return;
    }
    const links = item.forms.links;
    const record = (measure: Measure, subject: string | null, ours: number, officialValue: number): void => {
      const severity = discrepancySeverity(ours, officialValue);
      if (severity === null) {
        matches += 1;
        return;
      }
      discrepancies.push({
        ...pick(item),
        measure,
        subject,
        ours,
        official: officialValue,
        difference: ours - officialValue,
        relative: relativeDifference(ours, officialValue),
        severity,
        forms: links,
        formCount: item.forms.count,
      });
    };
    const counts = officialCounts(official, item.kind);
    for (const m of BALLOT_MEASURES) {
      const officialValue = counts[m.official];
      if (officialValue === null) continue;
      const ours = fieldSum(item.totals, m.ours);
      if (ours.unread > 0) {
        notCompared.push({ ...pick(item), reason: `${m.measure}: unknown on ${ours.unread} form(s)` });
        continue;
      }
      record(m.measure, null, ours.known, officialValue);
    }
    if (item.kind === "party_list") {
      for (const [partyNumber, officialVotes] of official.partyListVotes) {
        const ours = exactSum(rowSum(item.totals, partyNumber));
        if (ours === null) continue;
        const party = reference?.partyByNumber(partyNumber);
        record("partyListVotes", `${partyNumber} ${party?.name ?? ""}`.trim(), ours, officialVotes);
      }
    } else if (item.candidateOf && item.candidateVotes) {
      const candidateVotes = item.candidateVotes;
      const rows = new Set<number>([...item.totals.votes.keys()]);
      for (const row of rows) {
        const candidate = item.candidateOf(row);
        const ours = exactSum(rowSum(item.totals, row));
        if (!candidate || ours === null) continue;
        const officialVotes = candidateVotes.get(candidate.id);
        if (officialVotes === undefined) continue;
        record("candidateVotes", candidate.label, ours, officialVotes);
      }
    }
  };

  const official = reference?.official ?? null;
  if (official) {
    for (const area of rollup.constituencies.values()) {
      const result = official.constituencies.get(area.key);
      if (!result || area.provinceId === null) continue;
      const provinceId = area.provinceId;
      for (const kind of FORM_KINDS) {
        if (area.totals[kind].forms === 0) continue;
        compare({
          level: "constituency",
          area: area.key,
          kind,
          totals: area.totals[kind],
          official: result,
          coverage: constituencyCoverages.get(area.key)![kind],
          forms: mergeAreaForms([area.forms[kind]]),
          candidateVotes: result.candidateVotes,
          candidateOf: (row) => {
            const c = reference?.candidate(provinceId, area.constituency, row);
            return c ? { id: c.id, label: `${c.id} ${c.name}` } : null;
          },
        });
      }
    }
    for (const province of rollup.provinces.values()) {
      const result = province.provinceId ? official.provinces.get(province.provinceId) : undefined;
      if (!result) continue;
      const areas = province.constituencyKeys.map((key) => rollup.constituencies.get(key)!);
      for (const kind of FORM_KINDS) {
        if (province.totals[kind].forms === 0) continue;
        compare({
          level: "province",
          area: province.key,
          kind,
          totals: province.totals[kind],
          official: result,
          coverage: provinceCoverages.get(province.key)![kind],
          forms: mergeAreaForms(areas.map((area) => area.forms[kind])),
        });
      }
    }
    for (const kind of FORM_KINDS) {
      if (rollup.national[kind].forms === 0) continue;
      compare({
        level: "national",
        area: "national",
        kind,
        totals: rollup.national[kind],
        official: official.national,
        coverage: national[kind],
        forms: mergeAreaForms([...rollup.constituencies.values()].map((area) => area.forms[kind])),
      });
    }
  }
  return {
    discrepancies: rankDiscrepancies(discrepancies),
    notCompared,
    matches,
    coverage: { constituencies: constituencyCoverages, provinces: provinceCoverages, national },
  };
}

function pick(item: AreaToCompare): Pick<Discrepancy, "level" | "area" | "kind"> {
  return { level: item.level, area: item.area, kind: item.kind };
}

/** Most severe first, then the largest relative size, then the largest absolute size. */
export function rankDiscrepancies(list: readonly Discrepancy[]): Discrepancy[] {
  return [...list].sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.relative - a.relative || Math.abs(b.difference) - Math.abs(a.difference),
  );
}
