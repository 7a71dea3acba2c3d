const THAI_ZERO = 0x0e50;

/** Replace Thai digits ๐–๙ with Arabic 0–9; everything else is kept as is. */
export function thaiDigitsToArabic(text: string): string {
  return text.replace(/[๐-๙]/g, (digit) => String(digit.charCodeAt(0) - THAI_ZERO));
}

/** Replace Arabic digits 0–9 with Thai digits ๐–๙. */
export function arabicDigitsToThai(text: string): string {
  return text.replace(/[0-9]/g, (digit) => String.fromCharCode(THAI_ZERO + Number(digit)));
}
