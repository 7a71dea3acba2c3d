import { type FormCode, type FormKind, isFormCode } from "./form-kind.js";
import { findProvinceByName } from "./provinces.js";
import { thaiDigitsToArabic } from "./thai-digits.js";

/** A value read from a path, with the path segment it came from. */
export interface PathField<T> {
  readonly value: T;
  /** The folder or file name the value was read from. */
  readonly source: string;
}

export interface PathMetadata {
  /** Official Thai province name (one of the 77). */
  readonly province: PathField<string> | null;
  readonly constituency: PathField<number> | null;
  readonly district: PathField<string> | null;
  readonly subdistrict: PathField<string> | null;
  readonly unit: PathField<number> | null;
  readonly setNumber: PathField<number> | null;
  readonly formCode: PathField<FormCode> | null;
  readonly formKind: PathField<FormKind> | null;
}

/** Nothing known from the path. */
export const EMPTY_PATH_METADATA: PathMetadata = {
  province: null,
  constituency: null,
  district: null,
  subdistrict: null,
  unit: null,
  setNumber: null,
  formCode: null,
  formKind: null,
};

/** Thai letters and marks (no Thai digits): the characters of a place name. */
const THAI_NAME = "[\\u0e01-\\u0e4e]+";
/** Where a place name ends when names are written without spaces. */
const NAME_STOP = /(?:จังหวัด|จ\.|อำเภอ|อ\.|ตำบล|ต\.|แขวง|เขต|หน่วย|ชุด|สส\.|ส\.ส\.)/;
/** "อ." is an abbreviation unless it is the second letter of a dotted one ("ส.อ."). */
const WORD_START = "(?<![\\u0e01-\\u0e2e]\\.)";

const CONSTITUENCY = /(?<!นอก|แบ่ง)เขต(?:เลือกตั้ง)?\s*(?:ที่)?\s*\.?\s*(\d+)|\bconstituency\s*[-_]?\s*(\d+)/i;
const SET_NUMBER = /ชุด\s*(?:ที่)?\s*\.?\s*(\d+)|\bset\s*[-_]?\s*(\d+)/i;
const UNIT = /หน่วย\s*(?:เลือกตั้ง)?\s*(?:ที่)?\s*\.?\s*(\d+)|\bunit\s*[-_]?\s*(\d+)/i;
const DISTRICT = new RegExp(`(?:อำเภอ|${WORD_START}อ\\.)\\s*(${THAI_NAME})`);
const SUBDISTRICT = new RegExp(`(?:ตำบล|แขวง|${WORD_START}ต\\.)\\s*(${THAI_NAME})`);
const PROVINCE = new RegExp(`(?:จังหวัด|${WORD_START}จ\\.)\\s*(${THAI_NAME})`);
/** "สส.5ทับ18", "ส.ส.5/18", "สส5-18", "ส.ส. 5_18"; the "/" only survives in text, not in file names. */
const FORM_CODE_PREFIXED = /ส\s*\.?\s*ส\s*\.?\s*5\s*(?:\/|ทับ|-|_|\.|\s)\s*(1[678])(?!\d)/;
/** A bare "5-18", "5ทับ18" or "5_18". */
const FORM_CODE_BARE = /(?<![\d/\-_.])5\s*(?:\/|ทับ|-|_)\s*(1[678])(?![\d/\-_])/;
/** "(บช)", "บ.ช.", "บัญชีรายชื่อ", "party-list", or "bch" as a romanised บช in a word of its own. */
const PARTY_LIST =
  /(?<![\u0e01-\u0e4e])บ\.?\s*ช\.?(?![\u0e31\u0e34-\u0e3a\u0e47-\u0e4e])|บัญชีรายชื่อ|party[\s_-]*list|(?<![a-z])bch(?![a-z])/i;
const CONSTITUENCY_KIND = /แบ่งเขต/;

interface Segment {
  /** The folder or file name as written (NFC). */
  readonly source: string;
  /** The same with Thai digits made Arabic and the file extension dropped, for matching. */
  readonly text: string;
  readonly isFile: boolean;
}

function toSegments(path: string): Segment[] {
  const parts = path
    .normalize("NFC")
    .split(/[/\\]/)
    .filter((part) => part !== "" && part !== "." && part !== "..");
  return parts.map((source, index) => {
    const isFile = index === parts.length - 1;
    const stem = isFile ? source.replace(/\.[A-Za-z0-9]{1,5}$/, "") : source;
    return { source, text: thaiDigitsToArabic(stem), isFile };
  });
}

function firstNumber(match: RegExpExecArray | null): number | null {
  if (!match) return null;
  const digits = match.slice(1).find((group) => group !== undefined);
  return digits === undefined ? null : Number(digits);
}

/** A place name after its prefix, cut where the next keyword starts. */
function placeName(pattern: RegExp, text: string): string | null {
  const match = pattern.exec(text);
  const captured = match?.[1];
  if (!match || !captured) return null;
  // In "แพร่อ.เมือง" the "อ" before the dot starts the next abbreviation.
  const end = match.index + match[0].length;
  const name = text[end] === "." ? captured.slice(0, -1) : captured;
  const stop = NAME_STOP.exec(name);
  const cut = stop ? name.slice(0, stop.index) : name;
  return cut === "" ? null : cut;
}

function provinceIn(text: string): string | null {
  const prefixed = placeName(PROVINCE, text);
  if (prefixed) {
    const province = findProvinceByName(prefixed);
    if (province) return province.thai;
  }
  // A bare name, Thai or English, standing as its own word ("แพร่ เขต 1", "Phrae_unit5", "Chiang Mai").
  const words = text.split(/[\s_\-,()[\]]+/).filter((word) => word !== "");
  for (let length = 1; length <= 4; length++) {
    for (let start = 0; start + length <= words.length; start++) {
      const candidate = words.slice(start, start + length).join(" ");
      const province = findProvinceByName(candidate, { abbreviations: false });
      if (province) return province.thai;
    }
  }
  return null;
}

function formCodeIn(text: string): FormCode | null {
  const match = FORM_CODE_PREFIXED.exec(text) ?? FORM_CODE_BARE.exec(text);
  const code = match ? `5/${match[1]}` : null;
  return code !== null && isFormCode(code) ? code : null;
}

function formKindIn(text: string): FormKind | null {
  if (PARTY_LIST.test(text)) return "party_list";
  if (CONSTITUENCY_KIND.test(text)) return "constituency";
  return null;
}

/** Searches segments in the given order and keeps the first value found, with its segment. */
function pick<T>(segments: readonly Segment[], read: (text: string) => T | null): PathField<T> | null {
  for (const segment of segments) {
    const value = read(segment.text);
    if (value !== null) return { value, source: segment.source };
  }
  return null;
}

/**
 * Reads what a folder and file path says about a form: province, constituency, district,
 * subdistrict, unit, set, form code and kind, each with the path segment it came from.
 * The segment nearest the file wins, except province and constituency, which name the folders
 * a collection is sorted into: for those the folders win and the file name is the fallback.
 */
export function inferPathMetadata(path: string): PathMetadata {
  const segments = toSegments(path);
  const nearestFirst = [...segments].reverse();
  const foldersFirst = [...nearestFirst.filter((s) => !s.isFile), ...nearestFirst.filter((s) => s.isFile)];

  const formCode = pick(nearestFirst, formCodeIn);
  const explicitKind = pick(nearestFirst, formKindIn);
  // A form code without a บช mark is the constituency form.
  const formKind: PathField<FormKind> | null = explicitKind ?? (formCode ? { value: "constituency", source: formCode.source } : null);

  return {
    province: pick(foldersFirst, provinceIn),
    constituency: pick(foldersFirst, (text) => firstNumber(CONSTITUENCY.exec(text))),
    district: pick(nearestFirst, (text) => placeName(DISTRICT, text)),
    subdistrict: pick(nearestFirst, (text) => placeName(SUBDISTRICT, text)),
    unit: pick(nearestFirst, (text) => firstNumber(UNIT.exec(text))),
    setNumber: pick(nearestFirst, (text) => firstNumber(SET_NUMBER.exec(text))),
    formCode,
    formKind,
  };
}
