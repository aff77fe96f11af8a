import type { VariantBasis } from './lowrankBasis.js';
import type { TrainStats } from './lowrankBasis.js';
import { foldKnown, knownNormal, solveRidge, type Fold, type LowrankHyper, type RidgeSolution } from './lowrankSelect.js';
import { choleskyForwardSolve } from './smallDense.js';

/**
 * Prediction intervals of `lowrank`: a per-column predictive standard deviation (the ridge
 * posterior's parameter variance plus the column's rank-k residual variance in the train rows), times
 * one scale κ calibrated by leave-one-task-out — κ is the empirical `level` quantile of |error|/sd of
 * the held-out train rows at a fixed subsample of unmeasured columns (split-conformal style), so the
 * interval's coverage is measured, not assumed Gaussian.
 */

/**
 * Predictive standard deviation of one column: sqrt(σ²_k·‖L⁻¹x‖² + max(e_j − Σ_c s_c²·v_jc², 0)/M),
 * with x = (1?, v_j1 … v_jk) and e_j the column's energy in the centred train block.
 */
export function predictiveSd(sol: RidgeSolution, basis: VariantBasis, vRow: Float64Array, vOffset: number, r: number, energy: number, scratch: Float64Array): number {
  const p = sol.index.length;
  for (let x = 0; x < p; x++) {
    const ix = sol.index[x]!;
    scratch[x] = ix === 0 ? 1 : vRow[vOffset + ix - 1]!;
  }
  let param = 0;
  if (p > 0) {
    choleskyForwardSolve(sol.factor, scratch, p);
    for (let x = 0; x < p; x++) param += scratch[x]! * scratch[x]!;
  }
  let resid = energy;
  const k = sol.index.length - (sol.index[0] === 0 ? 1 : 0);
  for (let c = 0; c < k && c < r; c++) {
    const v = vRow[vOffset + c]!;
    resid -= basis.s[c]! * basis.s[c]! * v * v;
  }
  const floor = 1e-300 + 1e-24 * (basis.energy / Math.max(basis.rows, 1));
  return Math.sqrt(sol.sigma2 * param + Math.max(resid, 0) / basis.rows + floor);
}

/** Evenly spread columns used to calibrate the interval scale (at most `count`). */
export function calibrationColumns(n: number, count: number): Int32Array {
  if (n <= count) return Int32Array.from({ length: n }, (_, j) => j);
  return Int32Array.from({ length: count }, (_, t) => Math.floor(((t + 0.5) * n) / count));
}

/**
 * The interval scale κ: the `level` quantile (conformal rank ⌈level·(n+1)⌉) of |y − ŷ|/sd over the
 * held-out train rows of every fold at the calibration columns not in `columns`.
 */
export function calibrateScale(
  stats: TrainStats,
  folds: readonly Fold[],
  columns: Int32Array,
  hyper: LowrankHyper,
  level: number,
  calibration: Int32Array,
): number {
  const measured = new Set(columns);
  const probe = Int32Array.from(Array.from(calibration).filter((j) => !measured.has(j)));
  const ratios: number[] = [];
  for (const fold of folds) {
    const fv = fold.variants.get(hyper.variant)!;
    if (hyper.k > fv.basis.r) continue;
    const known = foldKnown(stats, fold, fv, columns);
    const normal = knownNormal(known.vk, known.cK, fv.basis.r);
    const sol = solveRidge(normal, fv.basis, stats.n, hyper.k, hyper.alpha, hyper.variant === 'additive');
    if (!sol) continue;
    const at = foldKnown(stats, fold, fv, probe);
    const r = fv.basis.r;
    const scratch = new Float64Array(sol.index.length);
    for (let t = 0; t < probe.length; t++) {
      let pred = 0;
      for (let x = 0; x < sol.index.length; x++) {
        const ix = sol.index[x]!;
        pred += sol.beta[x]! * (ix === 0 ? 1 : at.vk[t * r + ix - 1]!);
      }
      const sd = predictiveSd(sol, fv.basis, at.vk, t * r, r, at.energy[t]!, scratch);
      ratios.push(Math.abs(at.cK[t]! - pred) / sd);
    }
  }
  if (ratios.length === 0) return NaN;
  ratios.sort((a, b) => a - b);
  const rank = Math.min(ratios.length, Math.ceil(level * (ratios.length + 1)));
  return ratios[rank - 1]!;
}
