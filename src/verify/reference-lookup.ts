/**
 * What the checks need from the official reference data. Implemented over the ECT files by
 * src/reference; tests use small hand-written implementations.
 */
export interface ProvinceMatch {
  /** Official Thai name, e.g. "แพร่". */
  readonly name: string;
  /** ECT id, e.g. "PRE". */
  readonly provinceId: string;
  /** False when the name was matched loosely (OCR slip, unusual abbreviation). */
  readonly confident: boolean;
}

export interface ReferenceLookup {
  /** Official province for a name or abbreviation as read ("แพร่", "จังหวัดแพร่", "พร", "Phrae"), or null. */
  findProvince(nameAsRead: string): ProvinceMatch | null;
  constituencyExists(provinceId: string, constituency: number): boolean;
  /** Candidates standing in the constituency, or null when unknown. */
  candidateCount(provinceId: string, constituency: number): number | null;
  /** Polling stations in the constituency, or null when unknown. */
  stationCount(provinceId: string, constituency: number): number | null;
  /** Parties on the party-list ballot. */
  partyCount(): number;
}
