import { itemAt } from '../util/checked.js';
/**
 * Split-conformal interval calibration shared by the completion methods: an interval is a point
 * prediction ± κ·(a per-entry scale), with κ the conformal quantile of held-out |error|/scale ratios,
 * so its coverage is measured on held-out rows, not assumed Gaussian.
 */

/**
 * The conformal `level` quantile of the scores: the ⌈level·(n + 1)⌉-th smallest of the n scores (capped
 * at the largest), NaN when there are none. Sorts `scores` in place.
 * @example
 * conformalQuantile([3, 1, 2, 5, 4], 0.5); // 3 (rank ⌈0.5·6⌉ = 3)
 */
export function conformalQuantile(scores: number[], level: number): number {
  if (scores.length === 0) return NaN;
  scores.sort((a, b) => a - b);
  const rank = Math.min(scores.length, Math.ceil(level * (scores.length + 1)));
  return itemAt(scores, rank - 1);
}

/**
 * Evenly spread columns used to calibrate an interval scale: all n when n ≤ count, else `count`
 * columns ⌊(t + ½)·n/count⌋.
 * @example
 * calibrationColumns(10, 4); // [1, 3, 6, 8]
 */
export function calibrationColumns(n: number, count: number): Int32Array {
  if (n <= count) return Int32Array.from({ length: n }, (_, j) => j);
  return Int32Array.from({ length: count }, (_, t) => Math.floor(((t + 0.5) * n) / count));
}

/**
 * Fewest scores for which the conformal `level` quantile exists: the smallest n with
 * ⌈level·(n + 1)⌉ ≤ n (9 at level 0.9). With fewer, the split-conformal interval would be unbounded,
 * and `probeConformalScale` leaves the task to a train-calibrated scale.
 * @example
 * minConformalScores(0.9); // 9
 */
export function minConformalScores(level: number): number {
  let n = 1;
  while (Math.ceil(level * (n + 1)) > n && n < 1e6) n++;
  return n;
}

/**
 * The interval scale of one task from its own measured columns (jackknife conformal): the conformal
 * `level` quantile of |r_t|/sd_t over its probes, r_t the fit's leave-one-column-out residual and sd_t
 * the interval's shape at that column; NaN when fewer than `minConformalScores(level)` scores are
 * finite (the caller then falls back to a train-calibrated scale).
 * @example
 * probeConformalScale(Float64Array.of(1, 2, 3), Float64Array.of(1, 1, 1), 0.5); // 2
 */
export function probeConformalScale(residual: Float64Array, sd: Float64Array, level: number): number {
  const scores: number[] = [];
  for (let t = 0; t < residual.length; t++) {
    const score = Math.abs(itemAt(residual, t)) / itemAt(sd, t);
    if (Number.isFinite(score)) scores.push(score);
  }
  if (scores.length < minConformalScores(level)) return NaN;
  return conformalQuantile(scores, level);
}
