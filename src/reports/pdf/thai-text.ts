/** Zero-width space: an invisible break opportunity that pdfkit's line breaker honours. */
export const ZERO_WIDTH_SPACE = "\u200b";

const segmenter = new Intl.Segmenter("th", { granularity: "word" });

/**
 * Thai has no spaces between words, so pdfkit would wrap mid-word. Insert a zero-width space at
 * every word boundary inside Thai runs (Intl.Segmenter uses ICU's Thai dictionary).
 */
export function wrapThai(text: string): string {
  if (!/[\u0e00-\u0e7f]/.test(text)) return text;
  let out = "";
  let previousThai = false;
  for (const { segment } of segmenter.segment(text)) {
    const thai = /[\u0e00-\u0e7f]/.test(segment);
    if (thai && previousThai) out += ZERO_WIDTH_SPACE;
    out += segment;
    previousThai = thai;
  }
  return out;
}
