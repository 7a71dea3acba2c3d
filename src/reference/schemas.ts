import { z } from "zod";

/**
 * Shapes of the ECT 2026 public JSON files (static-ectreport69 / stats-ectreport69), as published.
 * Unknown extra keys are allowed (z.looseObject) so an added field never breaks loading; fields
 * seen null in the published data are nullable.
 */
const count = z.int().nonnegative();
const percent = z.number();

export const ProvinceFileSchema = z.looseObject({
  total_registered_vote: count.nullable(),
  total_vote_stations: count.nullable(),
  province: z.array(
    z.looseObject({
      province_id: z.string(),
      prov_id: z.string().min(1),
      province: z.string().min(1),
      abbre_thai: z.string().nullable(),
      eng: z.string().nullable(),
      total_vote_stations: count.nullable(),
      total_registered_vote: count.nullable(),
    }),
  ),
});
export type ProvinceFile = z.infer<typeof ProvinceFileSchema>;

export const ConstituencyFileSchema = z.array(
  z.looseObject({
    cons_id: z.string().min(1),
    cons_no: z.int().nonnegative(),
    prov_id: z.string().min(1),
    total_vote_stations: count.nullable(),
    registered_vote: count.nullable(),
    zone: z.array(z.string()).optional(),
  }),
);
export type ConstituencyFile = z.infer<typeof ConstituencyFileSchema>;

export const MpCandidateFileSchema = z.array(
  z.looseObject({
    mp_app_id: z.string().min(1),
    mp_app_no: z.int().min(1),
    /** ECT party id (not the ballot number); null for a few independents/withdrawn entries. */
    mp_app_party_id: z.int().nullable(),
    mp_app_name: z.string(),
    image_url: z.string().nullable().optional(),
  }),
);
export type MpCandidateFile = z.infer<typeof MpCandidateFileSchema>;

/** Numbers in this file are published as strings ("254", "1"). */
const numericString = z.string().regex(/^\d+$/, "expected a string of digits");

export const PartyOverviewFileSchema = z.array(
  z.looseObject({
    id: numericString,
    party_no: numericString,
    name: z.string().min(1),
    abbr: z.string().nullable(),
    color: z.string().nullable(),
    logo_url: z.string().nullable().optional(),
  }),
);
export type PartyOverviewFile = z.infer<typeof PartyOverviewFileSchema>;

export const PartyCandidateFileSchema = z.array(
  z.looseObject({
    party_no: z.int().min(1),
    party_list_candidates: z.array(
      z.looseObject({ list_no: z.int().min(1), name: z.string(), image_url: z.string().nullable().optional() }),
    ),
    pm_candidates: z.array(z.looseObject({ name: z.string(), image_url: z.string().nullable().optional() })),
  }),
);
export type PartyCandidateFile = z.infer<typeof PartyCandidateFileSchema>;

const ballotCounts = {
  turn_out: count.nullable(),
  percent_turn_out: percent.nullable(),
  valid_votes: count.nullable(),
  invalid_votes: count.nullable(),
  blank_votes: count.nullable(),
  party_list_turn_out: count.nullable(),
  party_list_percent_turn_out: percent.nullable(),
  party_list_valid_votes: count.nullable(),
  party_list_invalid_votes: count.nullable(),
  party_list_blank_votes: count.nullable(),
  counted_vote_stations: count.nullable(),
  percent_count: percent.nullable(),
  pause_report: z.boolean().nullable().optional(),
};

const candidateResult = z.looseObject({
  mp_app_id: z.string().min(1),
  mp_app_vote: count,
  mp_app_vote_percent: percent.nullable(),
  mp_app_rank: z.int().nullable(),
  party_id: z.int().nullable(),
});

export const StatsConsFileSchema = z.looseObject({
  ...ballotCounts,
  last_update: z.string().nullable(),
  result_province: z.array(
    z.looseObject({
      prov_id: z.string().min(1),
      ...ballotCounts,
      total_registered_vote: count.nullable(),
      total_vote_stations: count.nullable(),
      result_party: z.array(
        z.looseObject({
          party_id: z.int().nullable(),
          party_list_vote: count,
          party_cons_votes: count.nullable().optional(),
          first_mp_app_count: count.nullable().optional(),
          party_list_vote_percent: percent.nullable(),
        }),
      ),
      constituencies: z.array(
        z.looseObject({
          cons_id: z.string().min(1),
          ...ballotCounts,
          candidates: z.array(candidateResult),
          result_party: z.array(
            z.looseObject({ party_id: z.int().nullable(), party_list_vote: count, party_list_vote_percent: percent.nullable() }),
          ),
        }),
      ),
    }),
  ),
});
export type StatsConsFile = z.infer<typeof StatsConsFileSchema>;

export const StatsPartyFileSchema = z.looseObject({
  counted_vote_stations: count.nullable(),
  percent_count: percent.nullable(),
  last_update: z.string().nullable(),
  result_party: z.array(
    z.looseObject({
      party_id: z.int(),
      /** National party-list votes. */
      party_vote: count,
      party_vote_percent: percent.nullable(),
      party_list_count: z.int().nullable(),
      mp_app_vote: count.nullable(),
      mp_app_vote_percent: percent.nullable(),
      first_mp_app_count: count.nullable(),
      candidates: z.array(candidateResult),
    }),
  ),
});
export type StatsPartyFile = z.infer<typeof StatsPartyFileSchema>;
