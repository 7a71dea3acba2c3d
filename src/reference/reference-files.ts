import type { z } from "zod";
import {
  ConstituencyFileSchema,
  MpCandidateFileSchema,
  PartyCandidateFileSchema,
  PartyOverviewFileSchema,
  ProvinceFileSchema,
  StatsConsFileSchema,
  StatsPartyFileSchema,
} from "./schemas.js";

/** The official files: local name, public URL (ECT 2026 report sites) and schema. */
export interface ReferenceFileSpec {
  readonly key: string;
  readonly fileName: string;
  readonly url: string;
  readonly schema: z.ZodType;
  /** Results files may be missing from a snapshot taken before election night. */
  readonly required: boolean;
}

const STATIC_REFS = "https://static-ectreport69.ect.go.th/data/data/refs";
const STATS_RECORDS = "https://stats-ectreport69.ect.go.th/data/records";

export const REFERENCE_FILES = {
  provinces: {
    key: "provinces",
    fileName: "info_province.json",
    url: `${STATIC_REFS}/info_province.json`,
    schema: ProvinceFileSchema,
    required: true,
  },
  constituencies: {
    key: "constituencies",
    fileName: "info_constituency.json",
    url: `${STATIC_REFS}/info_constituency.json`,
    schema: ConstituencyFileSchema,
    required: true,
  },
  partyOverview: {
    key: "party_overview",
    fileName: "info_party_overview.json",
    url: `${STATIC_REFS}/info_party_overview.json`,
    schema: PartyOverviewFileSchema,
    required: true,
  },
  mpCandidates: {
    key: "mp_candidates",
    fileName: "info_mp_candidate.json",
    url: `${STATIC_REFS}/info_mp_candidate.json`,
    schema: MpCandidateFileSchema,
    required: true,
  },
  partyCandidates: {
    key: "party_candidates",
    fileName: "info_party_candidate.json",
    url: `${STATIC_REFS}/info_party_candidate.json`,
    schema: PartyCandidateFileSchema,
    required: false,
  },
  statsCons: {
    key: "stats_cons",
    fileName: "stats_cons.json",
    url: `${STATS_RECORDS}/stats_cons.json`,
    schema: StatsConsFileSchema,
    required: false,
  },
  statsParty: {
    key: "stats_party",
    fileName: "stats_party.json",
    url: `${STATS_RECORDS}/stats_party.json`,
    schema: StatsPartyFileSchema,
    required: false,
  },
} as const satisfies Record<string, ReferenceFileSpec>;

export const REFERENCE_FILE_LIST: readonly ReferenceFileSpec[] = Object.values(REFERENCE_FILES);

export const MANIFEST_FILE = "manifest.json";
