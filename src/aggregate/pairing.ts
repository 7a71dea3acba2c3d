import type { FormSummary } from "./form-summary.js";
import type { Station } from "./stations.js";

/**
 * A station's constituency form and party-list form count ballots from the same voters, but a
 * voter may take only one ballot, so small differences are normal. A pair is flagged when the
 * ballots used differ by more than PAIRING_MAX_ABSOLUTE and more than PAIRING_MAX_RELATIVE of
 * the larger count.
 */
export const PAIRING_MAX_ABSOLUTE = 3;
export const PAIRING_MAX_RELATIVE = 0.02;

export const PAIRING_THRESHOLD_TEXT = `A station's constituency and party-list forms are flagged when their ballots used differ by more than ${PAIRING_MAX_ABSOLUTE} ballots and more than ${PAIRING_MAX_RELATIVE * 100}% of the larger count.`;

export interface PairingFlag {
  readonly stationKey: string;
  readonly constituencyForm: FormSummary;
  readonly partyListForm: FormSummary;
  readonly constituencyBallots: number;
  readonly partyListBallots: number;
  readonly difference: number;
  readonly relative: number;
}

export function pairingExceeds(a: number, b: number): boolean {
  const difference = Math.abs(a - b);
  return difference > PAIRING_MAX_ABSOLUTE && difference > PAIRING_MAX_RELATIVE * Math.max(a, b);
}

export function checkPairs(stations: readonly Station[]): PairingFlag[] {
  const flags: PairingFlag[] = [];
  for (const station of stations) {
    const constituencyForm = station.forms.constituency;
    const partyListForm = station.forms.party_list;
    if (!station.identified || !constituencyForm || !partyListForm) continue;
    const a = constituencyForm.counts.ballotsUsed;
    const b = partyListForm.counts.ballotsUsed;
    if (a === null || b === null || !pairingExceeds(a, b)) continue;
    flags.push({
      stationKey: station.key,
      constituencyForm,
      partyListForm,
      constituencyBallots: a,
      partyListBallots: b,
      difference: a - b,
      relative: Math.abs(a - b) / Math.max(a, b, 1),
    });
  }
  return flags.sort((x, y) => Math.abs(y.difference) - Math.abs(x.difference));
}
