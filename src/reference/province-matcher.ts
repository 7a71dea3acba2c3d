import type { ProvinceMatch } from "../verify/reference-lookup.js";
import { editDistance } from "./edit-distance.js";
import { ENGLISH_PROVINCE_NAMES, THAI_PROVINCE_ALIASES } from "./english-province-names.js";
import type { ProvinceInfo } from "./model.js";

/** Prefixes written before a province name on forms and folder names. */
const PROVINCE_PREFIXES = ["จังหวัด", "จ.", "จ ", "changwat", "province"];

/** Strip prefixes, spaces, dots, zero-width characters; lower-case Latin. */
export function normaliseProvinceText(text: string): string {
  let value = text
    .normalize("NFC")
    .replace(/[\u200b-\u200d\ufeff]/g, "")
    .trim()
    .toLowerCase();
  for (const prefix of PROVINCE_PREFIXES) {
    if (value.startsWith(prefix)) value = value.slice(prefix.length).trim();
  }
  if (value.endsWith(" province")) value = value.slice(0, -" province".length);
  return value.replace(/[\s.\-_]/g, "");
}

/** A loose match is accepted when it is this close (edit distance per code point of the name). */
export const LOOSE_MATCH_MAX_DISTANCE_RATIO = 0.34;

export class ProvinceMatcher {
  private readonly exact = new Map<string, ProvinceInfo>();
  private readonly thaiNames: { key: string; province: ProvinceInfo }[] = [];
  private readonly latinNames: { key: string; province: ProvinceInfo }[] = [];

  constructor(provinces: readonly ProvinceInfo[]) {
    for (const province of provinces) {
      const thai = normaliseProvinceText(province.name);
      this.exact.set(thai, province);
      this.thaiNames.push({ key: thai, province });
      this.exact.set(normaliseProvinceText(province.provinceId), province);
      if (province.abbreviation) this.exact.set(normaliseProvinceText(province.abbreviation), province);
      const english = [...(ENGLISH_PROVINCE_NAMES[province.provinceId] ?? [])];
      if (province.englishName) english.push(province.englishName);
      for (const name of english) {
        const key = normaliseProvinceText(name);
        this.exact.set(key, province);
        this.latinNames.push({ key, province });
      }
      for (const alias of THAI_PROVINCE_ALIASES[province.provinceId] ?? []) {
        this.exact.set(normaliseProvinceText(alias), province);
      }
    }
  }

  match(nameAsRead: string): ProvinceMatch | null {
    const key = normaliseProvinceText(nameAsRead);
    if (key.length === 0) return null;
    const exact = this.exact.get(key);
    if (exact) return { name: exact.name, provinceId: exact.provinceId, confident: true };
    // Two-letter abbreviations are too short for fuzzy matching: one slip lands on another province.
    if (Array.from(key).length <= 3) return null;
    const candidates = /[\u0e00-\u0e7f]/.test(key) ? this.thaiNames : this.latinNames;
    return this.closest(key, candidates);
  }

  private closest(key: string, names: readonly { key: string; province: ProvinceInfo }[]): ProvinceMatch | null {
    let best: { distance: number; key: string; province: ProvinceInfo } | null = null;
    let tie = false;
    for (const name of names) {
      const distance = editDistance(key, name.key);
      if (best === null || distance < best.distance) {
        best = { distance, key: name.key, province: name.province };
        tie = false;
      } else if (distance === best.distance && name.province !== best.province) {
        tie = true;
      }
    }
    if (best === null || tie) return null;
    const length = Math.max(Array.from(key).length, Array.from(best.key).length, 1);
    if (best.distance / length > LOOSE_MATCH_MAX_DISTANCE_RATIO) return null;
    return { name: best.province.name, provinceId: best.province.provinceId, confident: false };
  }
}
