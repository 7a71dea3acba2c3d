import { FORM_KINDS } from "../forms/form-kind.js";
import { type AreaTotals, addForm, emptyAreaTotals, mergeAreaTotals } from "./area-totals.js";
import type { FormSummary } from "./form-summary.js";
import type { Station } from "./stations.js";

export interface ConstituencyAggregate {
  /** "PRE_1" (province id when known, else the province name as read). */
  readonly key: string;
  readonly provinceKey: string;
  readonly province: string | null;
  readonly provinceId: string | null;
  readonly constituency: number;
  readonly stations: Station[];
  readonly totals: AreaTotals;
}

export interface ProvinceAggregate {
  readonly key: string;
  readonly province: string | null;
  readonly provinceId: string | null;
  readonly constituencyKeys: string[];
  readonly totals: AreaTotals;
}

export interface Rollup {
  readonly constituencies: Map<string, ConstituencyAggregate>;
  readonly provinces: Map<string, ProvinceAggregate>;
  /** Stations whose province or constituency is unknown: in the national sum only. */
  readonly unassigned: AreaTotals;
  readonly national: AreaTotals;
}

function anyForm(station: Station): FormSummary {
  const form = station.forms.constituency ?? station.forms.party_list;
  if (!form) throw new Error(`station ${station.key} has no form`);
  return form;
}

export function stationTotals(station: Station): AreaTotals {
  const totals = emptyAreaTotals();
  for (const kind of FORM_KINDS) {
    const form = station.forms[kind];
    if (form) addForm(totals[kind], form);
  }
  return totals;
}

/** Adds a station's counted forms to `totals`: the same as merging its stationTotals, without building them. */
function addStation(totals: AreaTotals, station: Station): void {
  for (const kind of FORM_KINDS) {
    const form = station.forms[kind];
    if (form) addForm(totals[kind], form);
  }
}

/** Station → constituency → province → nation, each level the exact sum of the one below. */
export function rollUp(stations: readonly Station[]): Rollup {
  const constituencies = new Map<string, ConstituencyAggregate>();
  const unassigned = emptyAreaTotals();
  for (const station of stations) {
    const form = anyForm(station);
    const provinceKey = form.provinceId ?? form.province;
    if (provinceKey === null || form.constituency === null) {
      addStation(unassigned, station);
      continue;
    }
    const key = `${provinceKey}_${form.constituency}`;
    let area = constituencies.get(key);
    if (!area) {
      area = {
        key,
        provinceKey,
        province: form.province,
        provinceId: form.provinceId,
        constituency: form.constituency,
        stations: [],
        totals: emptyAreaTotals(),
      };
      constituencies.set(key, area);
    }
    area.stations.push(station);
    addStation(area.totals, station);
  }
  return { constituencies, unassigned, ...rollUpProvinces(constituencies.values(), unassigned) };
}

/** Constituencies (in the order their first station was seen) → provinces → nation. */
export function rollUpProvinces(
  constituencies: Iterable<Pick<ConstituencyAggregate, "key" | "provinceKey" | "province" | "provinceId" | "totals">>,
  unassigned: AreaTotals,
): { provinces: Map<string, ProvinceAggregate>; national: AreaTotals } {
  const provinces = new Map<string, ProvinceAggregate>();
  for (const area of constituencies) {
    let province = provinces.get(area.provinceKey);
    if (!province) {
      province = {
        key: area.provinceKey,
        province: area.province,
        provinceId: area.provinceId,
        constituencyKeys: [],
        totals: emptyAreaTotals(),
      };
      provinces.set(area.provinceKey, province);
    }
    province.constituencyKeys.push(area.key);
    mergeAreaTotals(province.totals, area.totals);
  }
  const national = emptyAreaTotals();
  for (const province of provinces.values()) mergeAreaTotals(national, province.totals);
  mergeAreaTotals(national, unassigned);
  return { provinces, national };
}
