import type { FormCode, FormKind } from "../forms/form-kind.js";
import { arabicDigitsToThai } from "../forms/thai-digits.js";

/** The printed wording of the ECT count forms, per form code and kind. */

export function copyHeader(code: FormCode, kind: FormKind): string {
  const variant = kind === "party_list" ? "(แบบบัญชีรายชื่อ)" : "(แบบแบ่งเขตเลือกตั้ง)";
  if (code === "5/18") return `ชุดที่ ๑ ปิดประกาศ ณ ที่เลือกตั้ง ${variant}`;
  return `ชุดที่ ๑ เก็บไว้ในเล่มเพื่อส่งคณะกรรมการการเลือกตั้งประจำเขตเลือกตั้ง ${variant}`;
}

export function formBoxLabel(code: FormCode, kind: FormKind): string {
  const thai = arabicDigitsToThai(code);
  return kind === "party_list" ? `ส.ส. ${thai} (บช)` : `ส.ส. ${thai}`;
}

const VARIANT_WORDS: Record<FormKind, string> = { constituency: "แบบแบ่งเขตเลือกตั้ง", party_list: "แบบบัญชีรายชื่อ" };

export function title(code: FormCode, kind: FormKind): string {
  const variant = VARIANT_WORDS[kind];
  if (code === "5/16") return `รายงานผลการนับคะแนนบัตรเลือกตั้งล่วงหน้าในเขตเลือกตั้ง${variant}`;
  if (code === "5/17") return `รายงานผลการนับคะแนนบัตรเลือกตั้งนอกเขตเลือกตั้งและนอกราชอาณาจักร${variant}`;
  return `รายงานผลการนับคะแนนสมาชิกสภาผู้แทนราษฎร${variant}`;
}

export function committeeName(code: FormCode): string {
  if (code === "5/16") return "คณะกรรมการนับคะแนนบัตรเลือกตั้งล่วงหน้าในเขตเลือกตั้ง";
  if (code === "5/17") return "คณะกรรมการนับคะแนนบัตรเลือกตั้งนอกเขตเลือกตั้งและนอกราชอาณาจักร";
  return "คณะกรรมการประจำหน่วยเลือกตั้ง";
}

export function noVoteLabel(kind: FormKind): string {
  return kind === "party_list" ? "บัตรที่ไม่เลือกบัญชีรายชื่อของพรรคการเมืองใด" : "บัตรที่ไม่เลือกผู้สมัครผู้ใด";
}

/** Item 3, introducing the vote table; the party-list wording runs onto a second line. */
export function breakdownLines(code: FormCode, kind: FormKind): readonly string[] {
  const item = code === "5/18" ? "๒.๒.๑" : "๒.๑";
  return kind === "party_list"
    ? [`๓. จำนวนบัตรดี ตามข้อ ${item} แยกเป็นคะแนนของพรรคการเมืองตามลำดับหมายเลขของบัญชีรายชื่อ`, "ของพรรคการเมือง"]
    : [`๓. จำนวนบัตรดี ตามข้อ ${item} แยกเป็นคะแนนของผู้สมัครตามลำดับหมายเลขประจำตัวผู้สมัคร`];
}

export const TABLE_HEADERS: Record<FormKind, readonly (readonly [string, string])[]> = {
  constituency: [
    ["หมายเลขประจำตัว", "ผู้สมัคร"],
    ["ชื่อตัว - ชื่อสกุล", "ผู้สมัครรับเลือกตั้ง"],
    ["สังกัด", "พรรคการเมือง"],
    ["ได้คะแนน", "(ให้กรอกทั้งตัวเลขและตัวอักษร)"],
  ],
  party_list: [
    ["หมายเลขของบัญชีรายชื่อ", "ของพรรคการเมือง"],
    ["ชื่อ", "พรรคการเมือง"],
    ["ได้คะแนน", "(ให้กรอกทั้งตัวเลขและตัวอักษร)"],
  ],
};

export const TOTAL_LINE = "รวมคะแนนทั้งสิ้น";
export const CHAIR_ROLE_5_18 = "ประธานกรรมการประจำหน่วยเลือกตั้ง";
export const MEMBER_ROLE_5_18 = "กรรมการประจำหน่วยเลือกตั้ง";
export const CHAIR_ROLE = "ประธานกรรมการนับคะแนนบัตรเลือกตั้ง";
export const MEMBER_ROLE = "กรรมการนับคะแนนบัตรเลือกตั้ง";
export const REMARKS_LINE = "( สำหรับระบุเหตุที่ผลการนับคะแนนเลือกตั้งปรากฏจำนวนผู้ใช้สิทธิเลือกตั้งไม่ตรงกับจำนวนบัตรเลือกตั้งที่ใช้ )";

export function copiesNote(code: FormCode, kind: FormKind): readonly string[] {
  return [
    `หมายเหตุ : ${formBoxLabel(code, kind)} จัดทำจำนวน ๓ ชุด`,
    "๑. ปิดประกาศ ณ ที่เลือกตั้ง จำนวน ๑ ชุด",
    "๒. ใส่ถุงวัสดุใสซึ่งบรรจุบัตรเลือกตั้งที่นับเป็นคะแนนแล้ว จำนวน ๑ ชุด",
    "๓. เก็บไว้ในเล่มเพื่อส่งคณะกรรมการการเลือกตั้งประจำเขตเลือกตั้ง จำนวน ๑ ชุด",
  ];
}
