import type { FormSummary } from "./form-summary.js";

/**
 * A polling station (5/18: one unit; 5/16 and 5/17: one counting set) is identified by
 * province, constituency, form code, subdistrict and unit or set number. Unit numbers restart
 * in every subdistrict, so the subdistrict is part of the key when it was read.
 * Returns null when the form does not say enough to identify its station.
 */
export function stationKey(form: FormSummary): string | null {
  const province = form.provinceId ?? form.province;
  if (province === null || form.constituency === null || form.formCode === null) return null;
  if (form.unit === null && form.setNumber === null) return null;
  const subdistrict = (form.subdistrict ?? "").replace(/\s+/g, "").replace(/^(ตำบล|ต\.|แขวง)/, "");
  return [province, form.constituency, form.formCode, subdistrict, form.unit ?? "", form.setNumber ?? ""].join("|");
}

/** Province and constituency of a form, keyed like the ECT constituency id ("PRE_1"). */
export function areaKey(form: FormSummary): string | null {
  const province = form.provinceId ?? form.province;
  if (province === null || form.constituency === null) return null;
  return `${province}_${form.constituency}`;
}

export function stationLabel(form: FormSummary): string {
  const parts = [form.province ?? form.provinceId ?? "?", `เขต ${form.constituency ?? "?"}`];
  if (form.formCode) parts.push(form.formCode);
  if (form.subdistrict) parts.push(form.subdistrict);
  if (form.unit !== null) parts.push(`หน่วย ${form.unit}`);
  if (form.setNumber !== null) parts.push(`ชุด ${form.setNumber}`);
  return parts.join(" ");
}
