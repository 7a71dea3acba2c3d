import { assert } from "../basics/assert.js";

export const THAI_DIGIT_WORDS = ["ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า"] as const;
/** Place words for units..hundred-thousands within one ล้าน group. */
export const THAI_PLACE_WORDS = ["", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน"] as const;
export const THAI_MILLION = "ล้าน";

/** Words for 1..999,999 (one group below ล้าน). `hasHigher` says a higher group precedes it. */
function formatGroup(n: number, hasHigher: boolean): string {
  const digits = String(n).split("").map(Number).reverse();
  let words = "";
  for (let place = digits.length - 1; place >= 0; place--) {
    const digit = digits[place] ?? 0;
    if (digit === 0) continue;
    if (place === 1) {
      words += digit === 1 ? "สิบ" : digit === 2 ? "ยี่สิบ" : `${THAI_DIGIT_WORDS[digit]}สิบ`;
    } else if (place === 0) {
      const hasTensOrMore = n > 9 || hasHigher;
      words += digit === 1 && hasTensOrMore ? "เอ็ด" : THAI_DIGIT_WORDS[digit];
    } else {
      words += `${THAI_DIGIT_WORDS[digit]}${THAI_PLACE_WORDS[place]}`;
    }
  }
  return words;
}

/**
 * Canonical Thai words for a non-negative integer, as the ECT forms spell them:
 * 614 → หกร้อยสิบสี่, 21 → ยี่สิบเอ็ด, 100 → หนึ่งร้อย, 0 → ศูนย์.
 */
export function formatThaiNumber(n: number): string {
  assert(Number.isSafeInteger(n) && n >= 0, `formatThaiNumber needs a non-negative safe integer, got ${n}`);
  if (n === 0) return THAI_DIGIT_WORDS[0];
  const millions = Math.floor(n / 1_000_000);
  const rest = n % 1_000_000;
  const high = millions > 0 ? `${formatThaiNumber(millions)}${THAI_MILLION}` : "";
  const low = rest > 0 ? formatGroup(rest, millions > 0) : "";
  return high + low;
}
