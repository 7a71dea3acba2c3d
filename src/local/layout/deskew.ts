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
  // Sample ink pixels on a sparse grid: enough for a stable profile, fast on big pages.
  // Every row but every other column: sampling rows sparsely would alias into the bins.
  let samples = 0;
  for (let y = 0; y < height; y++) {
    for (let x = y & 1; x < width; x += 2) if (data[y * width + x]) samples++;
  }
  const xs = new Int32Array(samples);
  const ys = new Int32Array(samples);
  let next = 0;
  for (let y = 0; y < height; y++) {
    for (let x = y & 1; x < width; x += 2) {
      if (data[y * width + x]) {
        xs[next] = x;
        ys[next] = y;
        next++;
      }
    }
  }
  const offset = width / 2;
  const binCount = height + width;
  // The sharpness of each angle: the sum of squares of its projection profile. All the angles
  // of a search are profiled in one pass over the samples, which is what makes it fast.
  const sharpness = (angles: readonly number[]): number[] => {
    const slopes = Float64Array.from(angles, (angle) => Math.tan((angle * Math.PI) / 180));
    const bases = Int32Array.from(angles, (_, k) => k * binCount);
    const bins = new Int32Array(angles.length * binCount);
    const steepest = Math.max(...slopes.map(Math.abs));
    if (steepest < 1 && offset * (1 - steepest) >= 0.5) {
      // Every projection then lands in 0.5..binCount - 1: inside the bins, and positive, where
      // truncating v + 0.5 is exactly Math.round(v).
      for (let i = 0; i < samples; i++) {
        const x = xs[i]! - offset;
        const y = ys[i]!;
        for (let k = 0; k < slopes.length; k++) bins[bases[k]! + ((y - x * slopes[k]! + offset + 0.5) | 0)]!++;
      }
    } else {
      for (let i = 0; i < samples; i++) {
        const x = xs[i]! - offset;
        const y = ys[i]!;
        for (let k = 0; k < slopes.length; k++) {
          const bin = Math.round(y - x * slopes[k]! + offset);
          if (bin >= 0 && bin < binCount) bins[bases[k]! + bin]!++;
        }
      }
    }
    // Counts are whole numbers, so their sum of squares is exact.
    return angles.map((_, k) => {
      let score = 0;
      for (let i = k * binCount; i < (k + 1) * binCount; i++) score += bins[i]! * bins[i]!;
      return score;
    });
  };
  // Coarse to fine: every half degree, then every step around the best two coarse angles (the
  // peak of a ruled page is a few tenths wide, so it is never missed between half degrees).
  const coarseAngles: number[] = [];
  for (let angle = -maxDegrees; angle <= maxDegrees + 1e-9; angle += COARSE_STEP) coarseAngles.push(angle);
  const coarseScores = sharpness(coarseAngles);
  const coarse = coarseAngles.map((angle, i) => ({ angle, score: coarseScores[i]! }));
  const leaders = [...coarse].sort((a, b) => b.score - a.score).slice(0, 2);
  const fineAngles: number[] = [];
  for (const leader of leaders) {
    for (let angle = leader.angle - COARSE_STEP; angle <= leader.angle + COARSE_STEP + 1e-9; angle += stepDegrees) {
      if (Math.abs(angle) <= maxDegrees + 1e-9) fineAngles.push(angle);
    }
  }
  const fineScores = sharpness(fineAngles);
  let bestAngle = 0;
  let bestScore = -1;
  fineAngles.forEach((angle, i) => {
    if (fineScores[i]! > bestScore) {
      bestScore = fineScores[i]!;
      bestAngle = angle;
    }
  });
  return Math.round(bestAngle * 100) / 100;
}
