import type { BinaryImage } from "../image/gray-image.js";

/** The coarse search's step, in degrees. */
const COARSE_STEP = 0.5;

/**
 * Estimates the skew of a scanned page in degrees from its printed rules and text lines:
 * the angle whose horizontal projection profile is sharpest. Positive means the content
 * runs downhill to the right, so rotating by the negative angle levels it.
 */
export function estimateSkewDegrees(image: BinaryImage, maxDegrees = 3, stepDegrees = 0.1): number {
  const { width, height, data } = image;
  const xs: number[] = [];
  const ys: number[] = [];
  // Sample ink pixels on a sparse grid: enough for a stable profile, fast on big pages.
  // Every row but every other column: sampling rows sparsely would alias into the bins.
  for (let y = 0; y < height; y++) {
    for (let x = y & 1; x < width; x += 2) {
      if (data[y * width + x]) {
        xs.push(x - width / 2);
        ys.push(y);
      }
    }
  }
  const bins = new Float64Array(height + width);
  const offset = width / 2;
  const sharpness = (angle: number): number => {
    const slope = Math.tan((angle * Math.PI) / 180);
    bins.fill(0);
    for (let i = 0; i < xs.length; i++) {
      const bin = Math.round(ys[i]! - xs[i]! * slope + offset);
      if (bin >= 0 && bin < bins.length) bins[bin]! += 1;
    }
    let score = 0;
    for (let i = 0; i < bins.length; i++) score += bins[i]! * bins[i]!;
    return score;
  };
  // Coarse to fine: every half degree, then every step around the best two coarse angles (the
  // peak of a ruled page is a few tenths wide, so it is never missed between half degrees).
  const coarse: { angle: number; score: number }[] = [];
  for (let angle = -maxDegrees; angle <= maxDegrees + 1e-9; angle += COARSE_STEP) coarse.push({ angle, score: sharpness(angle) });
  const leaders = [...coarse].sort((a, b) => b.score - a.score).slice(0, 2);
  let bestAngle = 0;
  let bestScore = -1;
  for (const leader of leaders) {
    for (let angle = leader.angle - COARSE_STEP; angle <= leader.angle + COARSE_STEP + 1e-9; angle += stepDegrees) {
      if (Math.abs(angle) > maxDegrees + 1e-9) continue;
      const score = sharpness(angle);
      if (score > bestScore) {
        bestScore = score;
        bestAngle = angle;
      }
    }
  }
  return Math.round(bestAngle * 100) / 100;
}
