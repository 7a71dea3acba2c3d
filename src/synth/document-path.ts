import type { FormCode, FormKind } from "../forms/form-kind.js";
import type { Location } from "../forms/form-result.js";
import type { Rng } from "./rng.js";

/**
 * A folder and file name (without extension) in the style observers use, e.g.
 * "เขตเลือกตั้งที่ 2 จังหวัดน่าน/หน่วยเลือกตั้งที่ 7/สส.5ทับ18(บช)".
 */
export function documentPath(code: FormCode, kind: FormKind, location: Location, rng: Rng): string {
  const base = `เขตเลือกตั้งที่ ${location.constituency ?? 0} จังหวัด${location.province ?? ""}`;
  const codeName = `สส.5ทับ${code.slice(2)}${kind === "party_list" ? "(บช)" : ""}`;
  if (code === "5/18") {
    const unitFolder = rng.chance(0.7) ? `หน่วยเลือกตั้งที่ ${location.unit ?? 0}` : `หน่วยที่ ${location.unit ?? 0}`;
    const parts = [base];
    if (location.district && rng.chance(0.6)) parts.push(`อำเภอ${location.district}`);
    if (location.subdistrict && rng.chance(0.4)) parts.push(`ตำบล${location.subdistrict}`);
    parts.push(unitFolder, codeName);
    return parts.join("/");
  }
  const setNumber = location.setNumber ?? 0;
  const kindFolder = code === "5/17" ? "ล่วงหน้านอกเขตและนอกราชอาณาจักร" : "ล่วงหน้าในเขต";
  return [base, kindFolder, `ชุดที่ ${setNumber}`, `${codeName}ชุดที่${setNumber}`].join("/");
}
