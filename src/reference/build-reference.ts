import { err, ok, type Result } from "../basics/result.js";
import { ENGLISH_PROVINCE_NAMES } from "./english-province-names.js";
import type {
  CandidateInfo,
  ConstituencyInfo,
  OfficialAreaResult,
  OfficialBallotCounts,
  OfficialConstituencyResult,
  OfficialResults,
  PartyInfo,
  ProvinceInfo,
} from "./model.js";
import { Reference } from "./reference.js";
import type { ReferenceLoadError } from "./reference-load-error.js";
import { REFERENCE_FILES } from "./reference-files.js";
import type {
  ConstituencyFile,
  MpCandidateFile,
  PartyCandidateFile,
  PartyOverviewFile,
  ProvinceFile,
  StatsConsFile,
  StatsPartyFile,
} from "./schemas.js";

export interface ParsedReferenceFiles {
  readonly provinces: ProvinceFile;
  readonly constituencies: ConstituencyFile;
  readonly partyOverview: PartyOverviewFile;
  readonly mpCandidates: MpCandidateFile;
  readonly partyCandidates: PartyCandidateFile | null;
  readonly statsCons: StatsConsFile | null;
  readonly statsParty: StatsPartyFile | null;
}

const CANDIDATE_ID = /^(.+)_(\d+)_(\d+)$/;

function inconsistent(file: string, field: string, problem: string): ReferenceLoadError {
  return { kind: "inconsistent", file, field, message: `${file}: ${field}: ${problem}` };
}

interface BallotFields {
  turn_out: number | null;
  valid_votes: number | null;
  invalid_votes: number | null;
  blank_votes: number | null;
  party_list_turn_out: number | null;
  party_list_valid_votes: number | null;
  party_list_invalid_votes: number | null;
  party_list_blank_votes: number | null;
  counted_vote_stations: number | null;
  percent_count: number | null;
}

function ballotCounts(source: BallotFields): { constituency: OfficialBallotCounts; partyList: OfficialBallotCounts } {
  return {
    constituency: { turnout: source.turn_out, valid: source.valid_votes, invalid: source.invalid_votes, noVote: source.blank_votes },
    partyList: {
      turnout: source.party_list_turn_out,
      valid: source.party_list_valid_votes,
      invalid: source.party_list_invalid_votes,
      noVote: source.party_list_blank_votes,
    },
  };
}

/** Turn validated files into the Reference, checking the cross-file links that lookups rely on. */
export function buildReference(
  files: ParsedReferenceFiles,
  source: { dir: string | null; snapshotAt: string | null },
): Result<Reference, ReferenceLoadError> {
  const provinceFile = REFERENCE_FILES.provinces.fileName;
  const provinces: ProvinceInfo[] = [];
  const provinceIds = new Set<string>();
  for (const [i, p] of files.provinces.province.entries()) {
    if (provinceIds.has(p.prov_id)) return err(inconsistent(provinceFile, `province[${i}].prov_id`, `duplicate id ${p.prov_id}`));
    provinceIds.add(p.prov_id);
    provinces.push({
      provinceId: p.prov_id,
      code: p.province_id,
      name: p.province,
      abbreviation: p.abbre_thai,
      englishName: ENGLISH_PROVINCE_NAMES[p.prov_id]?.[0] ?? null,
      stations: p.total_vote_stations,
      registeredVoters: p.total_registered_vote,
    });
  }

  const constituencyFile = REFERENCE_FILES.constituencies.fileName;
  const constituencies: ConstituencyInfo[] = [];
  for (const [i, c] of files.constituencies.entries()) {
    if (!provinceIds.has(c.prov_id)) return err(inconsistent(constituencyFile, `[${i}].prov_id`, `unknown province ${c.prov_id}`));
    constituencies.push({
      id: c.cons_id,
      provinceId: c.prov_id,
      number: c.cons_no,
      stations: c.total_vote_stations,
      registeredVoters: c.registered_vote,
      zone: c.zone ?? [],
    });
  }

  const partyFile = REFERENCE_FILES.partyOverview.fileName;
  const parties: PartyInfo[] = [];
  const partyById = new Map<number, PartyInfo>();
  const partyNumbers = new Set<number>();
  for (const [i, p] of files.partyOverview.entries()) {
    const party: PartyInfo = { id: Number(p.id), number: Number(p.party_no), name: p.name, abbreviation: p.abbr, color: p.color };
    if (partyNumbers.has(party.number)) return err(inconsistent(partyFile, `[${i}].party_no`, `duplicate ballot number ${party.number}`));
    partyNumbers.add(party.number);
    partyById.set(party.id, party);
    parties.push(party);
  }
  parties.sort((a, b) => a.number - b.number);

  const candidateFile = REFERENCE_FILES.mpCandidates.fileName;
  const constituencyIds = new Set(constituencies.map((c) => c.id));
  const candidates: CandidateInfo[] = [];
  for (const [i, c] of files.mpCandidates.entries()) {
    const match = CANDIDATE_ID.exec(c.mp_app_id);
    if (!match) return err(inconsistent(candidateFile, `[${i}].mp_app_id`, `expected PROVINCE_CONSTITUENCY_NUMBER, got "${c.mp_app_id}"`));
    const provinceId = match[1]!;
    const constituency = Number(match[2]);
    if (!constituencyIds.has(`${provinceId}_${constituency}`)) {
      return err(
        inconsistent(candidateFile, `[${i}].mp_app_id`, `constituency ${provinceId}_${constituency} is not in ${constituencyFile}`),
      );
    }
    candidates.push({
      id: c.mp_app_id,
      provinceId,
      constituency,
      number: c.mp_app_no,
      name: c.mp_app_name,
      party: c.mp_app_party_id === null ? null : (partyById.get(c.mp_app_party_id) ?? null),
    });
  }

  const partyListCandidates = new Map<number, string[]>();
  for (const p of files.partyCandidates ?? []) {
    partyListCandidates.set(
      p.party_no,
      [...p.party_list_candidates].sort((a, b) => a.list_no - b.list_no).map((c) => c.name),
    );
  }

  const official = files.statsCons ? buildOfficial(files, provinces, constituencies, partyById) : null;
  return ok(new Reference({ provinces, constituencies, parties, candidates, partyListCandidates, official, source }));
}

function partyVotes(
  rows: readonly { party_id: number | null; party_list_vote: number }[],
  partyById: ReadonlyMap<number, PartyInfo>,
): Map<number, number> {
  const votes = new Map<number, number>();
  for (const row of rows) {
    const party = row.party_id === null ? undefined : partyById.get(row.party_id);
    if (party) votes.set(party.number, row.party_list_vote);
  }
  return votes;
}

function buildOfficial(
  files: ParsedReferenceFiles,
  provinces: readonly ProvinceInfo[],
  constituencies: readonly ConstituencyInfo[],
  partyById: ReadonlyMap<number, PartyInfo>,
): OfficialResults {
  const stats = files.statsCons!;
  const provinceById = new Map(provinces.map((p) => [p.provinceId, p]));
  const constituencyById = new Map(constituencies.map((c) => [c.id, c]));
  const provinceResults = new Map<string, OfficialAreaResult>();
  const constituencyResults = new Map<string, OfficialConstituencyResult>();
  for (const p of stats.result_province) {
    provinceResults.set(p.prov_id, {
      ...ballotCounts(p),
      countedStations: p.counted_vote_stations,
      totalStations: p.total_vote_stations ?? provinceById.get(p.prov_id)?.stations ?? null,
      percentCounted: p.percent_count,
      registeredVoters: p.total_registered_vote ?? provinceById.get(p.prov_id)?.registeredVoters ?? null,
      partyListVotes: partyVotes(p.result_party, partyById),
    });
    for (const c of p.constituencies) {
      const info = constituencyById.get(c.cons_id);
      constituencyResults.set(c.cons_id, {
        constituencyId: c.cons_id,
        ...ballotCounts(c),
        countedStations: c.counted_vote_stations,
        totalStations: info?.stations ?? null,
        percentCounted: c.percent_count,
        registeredVoters: info?.registeredVoters ?? null,
        partyListVotes: partyVotes(c.result_party, partyById),
        candidateVotes: new Map(c.candidates.map((x) => [x.mp_app_id, x.mp_app_vote])),
      });
    }
  }
  const nationalParty = files.statsParty
    ? partyVotes(
        files.statsParty.result_party.map((r) => ({ party_id: r.party_id, party_list_vote: r.party_vote })),
        partyById,
      )
    : sumPartyVotes([...provinceResults.values()]);
  const national: OfficialAreaResult = {
    ...ballotCounts(stats),
    countedStations: stats.counted_vote_stations,
    totalStations: files.provinces.total_vote_stations,
    percentCounted: stats.percent_count,
    registeredVoters: files.provinces.total_registered_vote,
    partyListVotes: nationalParty,
  };
  return {
    lastUpdate: stats.last_update ?? files.statsParty?.last_update ?? null,
    national,
    provinces: provinceResults,
    constituencies: constituencyResults,
  };
}

function sumPartyVotes(areas: readonly OfficialAreaResult[]): Map<number, number> {
  const sum = new Map<number, number>();
  for (const area of areas) for (const [n, v] of area.partyListVotes) sum.set(n, (sum.get(n) ?? 0) + v);
  return sum;
}
