import type { ProvinceMatch, ReferenceLookup } from "../verify/reference-lookup.js";
import type { CandidateInfo, ConstituencyInfo, OfficialResults, PartyInfo, ProvinceInfo } from "./model.js";
import { ProvinceMatcher } from "./province-matcher.js";

export interface ReferenceData {
  readonly provinces: readonly ProvinceInfo[];
  readonly constituencies: readonly ConstituencyInfo[];
  readonly parties: readonly PartyInfo[];
  readonly candidates: readonly CandidateInfo[];
  /** Party-list candidates by party ballot number (names in list order). */
  readonly partyListCandidates: ReadonlyMap<number, readonly string[]>;
  /** Null when the results files are not part of the snapshot. */
  readonly official: OfficialResults | null;
  /** Where the data came from (directory, snapshot time), for report metadata. */
  readonly source: { readonly dir: string | null; readonly snapshotAt: string | null };
}

export const constituencyKey = (provinceId: string, constituency: number): string => `${provinceId}_${constituency}`;

/** The official ECT reference: lookups by id, by ballot number and by name as read from a form. */
export class Reference implements ReferenceLookup {
  readonly data: ReferenceData;
  private readonly provincesById = new Map<string, ProvinceInfo>();
  private readonly constituenciesById = new Map<string, ConstituencyInfo>();
  private readonly candidatesByConstituency = new Map<string, CandidateInfo[]>();
  private readonly partiesByNumber = new Map<number, PartyInfo>();
  private readonly partiesById = new Map<number, PartyInfo>();
  private readonly matcher: ProvinceMatcher;

  constructor(data: ReferenceData) {
    this.data = data;
    for (const province of data.provinces) this.provincesById.set(province.provinceId, province);
    for (const c of data.constituencies) this.constituenciesById.set(c.id, c);
    for (const party of data.parties) {
      this.partiesByNumber.set(party.number, party);
      this.partiesById.set(party.id, party);
    }
    for (const candidate of data.candidates) {
      const key = constituencyKey(candidate.provinceId, candidate.constituency);
      const list = this.candidatesByConstituency.get(key) ?? [];
      list.push(candidate);
      this.candidatesByConstituency.set(key, list);
    }
    for (const list of this.candidatesByConstituency.values()) list.sort((a, b) => a.number - b.number);
    this.matcher = new ProvinceMatcher(data.provinces);
  }

  // ReferenceLookup
  findProvince(nameAsRead: string): ProvinceMatch | null {
    return this.matcher.match(nameAsRead);
  }
  constituencyExists(provinceId: string, constituency: number): boolean {
    return this.constituenciesById.has(constituencyKey(provinceId, constituency));
  }
  candidateCount(provinceId: string, constituency: number): number | null {
    if (!this.constituencyExists(provinceId, constituency)) return null;
    return this.candidatesByConstituency.get(constituencyKey(provinceId, constituency))?.length ?? 0;
  }
  stationCount(provinceId: string, constituency: number): number | null {
    return this.constituenciesById.get(constituencyKey(provinceId, constituency))?.stations ?? null;
  }
  partyCount(): number {
    return this.data.parties.length;
  }

  // Richer lookups for enrichment and reports
  province(provinceId: string): ProvinceInfo | null {
    return this.provincesById.get(provinceId) ?? null;
  }
  constituency(provinceId: string, constituency: number): ConstituencyInfo | null {
    return this.constituenciesById.get(constituencyKey(provinceId, constituency)) ?? null;
  }
  constituenciesOf(provinceId: string): ConstituencyInfo[] {
    return this.data.constituencies.filter((c) => c.provinceId === provinceId);
  }
  candidates(provinceId: string, constituency: number): readonly CandidateInfo[] {
    return this.candidatesByConstituency.get(constituencyKey(provinceId, constituency)) ?? [];
  }
  /** The candidate printed on row `number` of the constituency's form (id like PRE_1_3). */
  candidate(provinceId: string, constituency: number, number: number): CandidateInfo | null {
    return this.candidates(provinceId, constituency).find((c) => c.number === number) ?? null;
  }
  /** The party printed on row `number` of the party-list form. */
  partyByNumber(number: number): PartyInfo | null {
    return this.partiesByNumber.get(number) ?? null;
  }
  partyById(id: number): PartyInfo | null {
    return this.partiesById.get(id) ?? null;
  }
  get official(): OfficialResults | null {
    return this.data.official;
  }
}
