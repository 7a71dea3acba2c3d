import type { Rng } from "./rng.js";

/**
 * Invented words for synthetic forms: party names, people and places. They are generated,
 * not taken from any real list, so they look plausible without naming real parties or people.
 */

const PARTY_HEADS = [
  "พลัง",
  "รวม",
  "เพื่อ",
  "ก้าว",
  "ประชา",
  "ไทย",
  "เสรี",
  "ชาติ",
  "ครู",
  "แผ่นดิน",
  "สังคม",
  "เศรษฐกิจ",
  "พลเมือง",
  "ประชาธิปไตย",
] as const;
const PARTY_TAILS = [
  "ไทย",
  "ใหม่",
  "ธรรม",
  "ชาติ",
  "ประชาชน",
  "พัฒนา",
  "สร้างสรรค์",
  "ก้าวหน้า",
  "เกษตร",
  "รักไทย",
  "ไทยสามัคคี",
  "ยั่งยืน",
  "แผ่นดินทอง",
  "เพื่อชาติ",
  "ทำกิน",
  "ท้องถิ่น",
  "รุ่งเรือง",
  "มั่นคง",
] as const;

/** Fifty-seven distinct invented party names, in ballot order, fixed by the rng. */
export function inventPartyNames(rng: Rng, count: number): string[] {
  const names = new Set<string>();
  while (names.size < count) {
    const head = rng.pick(PARTY_HEADS);
    const tail = rng.pick(PARTY_TAILS);
    if (head === tail) continue;
    names.add(rng.chance(0.15) ? `${head}${tail}${rng.pick(["ใหม่", "ไทย", "ธรรม"])}` : `${head}${tail}`);
  }
  return [...names];
}

const FIRST_NAMES = [
  "สมชาย",
  "สมศักดิ์",
  "วิชัย",
  "ประเสริฐ",
  "สุนทร",
  "ธนากร",
  "กิตติพงษ์",
  "อนุชา",
  "ณัฐพล",
  "วรวุฒิ",
  "สุดารัตน์",
  "พรทิพย์",
  "มาลี",
  "วันเพ็ญ",
  "กนกวรรณ",
  "ศิริพร",
  "อรุณี",
  "จิราพร",
  "ปิยะนุช",
  "ชัยวัฒน์",
  "บุญมี",
  "ทองใบ",
  "สายสุนีย์",
  "เกรียงไกร",
] as const;
const LAST_NAMES = [
  "ใจดี",
  "ศรีสุข",
  "บุญมา",
  "แก้วมณี",
  "ทองคำ",
  "สุขสวัสดิ์",
  "วงศ์ใหญ่",
  "รัตนพันธ์",
  "มั่นคง",
  "ศรีวงศ์",
  "อินทร์แก้ว",
  "จันทร์เพ็ญ",
  "พรหมมา",
  "คำแสน",
  "ปัญญาดี",
  "ชัยมงคล",
  "สมบูรณ์",
  "เรืองศรี",
  "นาคสวัสดิ์",
  "ยอดยิ่ง",
] as const;
const TITLES = ["นาย", "นาง", "นางสาว"] as const;

export function inventPersonName(rng: Rng, withTitle = true): string {
  const name = `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
  return withTitle ? `${rng.pick(TITLES)}${name}` : name;
}

const PLACE_STEMS = [
  "หนองบัว",
  "ป่าแดง",
  "ดอนไชย",
  "ทุ่งโฮ้ง",
  "บ้านเหล่า",
  "นาจักร",
  "แม่ยม",
  "ห้วยม้า",
  "วังหงส์",
  "สวนเขื่อน",
  "ช่อแฮ",
  "ร่องฟอง",
  "เหมืองหม้อ",
  "ท่าข้าม",
  "บ่อแก้ว",
  "โคกสูง",
  "หนองม่วง",
  "นาพูน",
  "สันกลาง",
  "บ้านถิ่น",
] as const;

export function inventPlaceName(rng: Rng): string {
  return rng.pick(PLACE_STEMS);
}

/** A counting place as observers write it, in one of its common shapes. */
export function inventCountingPlace(rng: Rng, provinceThai: string): string {
  const place = inventPlaceName(rng);
  return rng.pick([
    `โดมอเนกประสงค์โรงเรียน${place}`,
    `หอประชุมอำเภอ${place}`,
    `อาคารเอนกประสงค์ วท.${provinceThai}`,
    `ศาลาการเปรียบเทียบอำเภอ${place}`,
    `โรงยิมเนเซียมโรงเรียน${place}วิทยา`,
    `ศาลาประชาคมบ้าน${place}`,
  ]);
}

export const THAI_MONTHS = [
  "มกราคม",
  "กุมภาพันธ์",
  "มีนาคม",
  "เมษายน",
  "พฤษภาคม",
  "มิถุนายน",
  "กรกฎาคม",
  "สิงหาคม",
  "กันยายน",
  "ตุลาคม",
  "พฤศจิกายน",
  "ธันวาคม",
] as const;
