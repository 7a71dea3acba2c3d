/** Domain view of the ECT reference data, independent of the JSON file shapes. */

export interface ProvinceInfo {
  /** ECT id, e.g. "PRE". */
  readonly provinceId: string;
  /** Numeric province code as published, e.g. "54". */
  readonly code: string;
  /** Official Thai name, e.g. "แพร่". */
  readonly name: string;
  /** Thai two-letter abbreviation, e.g. "พร". */
  readonly abbreviation: string | null;
  /** English name, e.g. "Phrae" (from our own table; the ECT file only has the id). */
  readonly englishName: string | null;
  readonly stations: number | null;
  readonly registeredVoters: number | null;
}

export interface ConstituencyInfo {
  /** ECT id, e.g. "PRE_1". Constituency 0 holds votes cast outside any constituency. */
  readonly id: string;
  readonly provinceId: string;
  readonly number: number;
  readonly stations: number | null;
  readonly registeredVoters: number | null;
  readonly zone: readonly string[];
}

export interface PartyInfo {
  /** ECT internal party id (used by candidates and results), e.g. 63. */
  readonly id: number;
  /** Number on the party-list ballot, 1..57. */
  readonly number: number;
  readonly name: string;
  readonly abbreviation: string | null;
  /** Colour as published, e.g. "#f02d30". */
  readonly color: string | null;
}

export interface CandidateInfo {
  /** ECT id, e.g. "PRE_1_3". */
  readonly id: string;
  readonly provinceId: string;
  readonly constituency: number;
  /** Row number on the ballot and on the count form. */
  readonly number: number;
  readonly name: string;
  readonly party: PartyInfo | null;
}

/** Official counts for one area and one form kind. Null when not published. */
export interface OfficialBallotCounts {
  readonly turnout: number | null;
  readonly valid: number | null;
  readonly invalid: number | null;
  readonly noVote: number | null;
}

export interface OfficialAreaResult {
  readonly constituency: OfficialBallotCounts;
  readonly partyList: OfficialBallotCounts;
  readonly countedStations: number | null;
  readonly totalStations: number | null;
  readonly percentCounted: number | null;
  readonly registeredVoters: number | null;
  /** Party-list votes by party ballot number. */
  readonly partyListVotes: ReadonlyMap<number, number>;
}

export interface OfficialConstituencyResult extends OfficialAreaResult {
  readonly constituencyId: string;
  /** Candidate votes by candidate id (e.g. "PRE_1_3"). */
  readonly candidateVotes: ReadonlyMap<string, number>;
}

export interface OfficialResults {
  readonly lastUpdate: string | null;
  readonly national: OfficialAreaResult;
  readonly provinces: ReadonlyMap<string, OfficialAreaResult>;
  /** Keyed by constituency id, e.g. "PRE_1". */
  readonly constituencies: ReadonlyMap<string, OfficialConstituencyResult>;
}
