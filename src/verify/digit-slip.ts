/** Arithmetic of one misread digit. */

export function digitAt(n: number, place: number): number {
  return Math.floor(n / 10 ** place) % 10;
}

/** The single decimal place at which `read` and `truth` differ, or null if none or several. */
export function singleDigitPlace(read: number, truth: number): number | null {
  if (truth < 0 || read === truth || !Number.isSafeInteger(read) || !Number.isSafeInteger(truth)) return null;
  let place: number | null = null;
  for (let k = 0; 10 ** k <= Math.max(read, truth); k++) {
    if (digitAt(read, k) !== digitAt(truth, k)) {
      if (place !== null) return null;
      place = k;
    }
  }
  return place;
}

/** True when the amount is ±d·10^k with d in 1..9: what one misread digit does to a sum. */
export function isSingleDigitAmount(amount: number): boolean {
  if (!Number.isSafeInteger(amount) || amount === 0) return false;
  let rest = Math.abs(amount);
  while (rest % 10 === 0) rest /= 10;
  return rest <= 9;
}
