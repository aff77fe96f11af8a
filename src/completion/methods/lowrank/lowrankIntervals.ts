import type { VariantBasis } from './lowrankBasis.js';
import type { TrainStats } from './lowrankBasis.js';
import { foldKnown, gatherColumns, knownNormal, penaltyScale, solveRidge, type Fold, type LowrankHyper, type RidgeSolution } from './lowrankSelect.js';
import { choleskyForwardSolve } from '../../../linalg/smallDense.js';
import { columnForms } from '../../../linalg/cpu/columnForms.js';
import { ridgeForms } from './lowrankForms.js';

/**
 * Prediction intervals of `lowrank`: a per-column predictive standard deviation (the ridge
 * posterior's parameter variance plus the column's variance in the centred train rows), times
 * one scale κ calibrated by leave-one-task-out — κ is the empirical `level` quantile of |error|/sd of
 * the held-out train rows at a fixed subsample of unmeasured columns (split-conformal style), so the
 * interval's coverage is measured, not assumed Gaussian.
 */

/**
 * Predictive standard deviation (before the scale κ) of one column: sqrt(σ̄²·‖L⁻¹x‖² + e_j/M), with
 * x = (1?, v_j1 … v_jk) passed in `scratch` (overwritten), L the Cholesky factor of the ridge system, σ̄² the per-entry variance of the
 * centred train block and e_j/M the column's variance in it. Both terms are independent of k on
 * purpose: in-sample rank-k residuals vanish as k approaches the number of train rows and would make
 * the shape degenerate; the leave-one-task-out scale κ absorbs the overall level.
 */
export function predictiveSd(sol: RidgeSolution, basis: VariantBasis, n: number, energy: number, scratch: Float64Array): number {
  const p = sol.index.length;
  let param = 0;
  if (p > 0) {
    choleskyForwardSolve(sol.factor, scratch, p);
    for (let x = 0; x < p; x++) param += scratch[x]! * scratch[x]!;
  }
  const scale = penaltyScale(basis, n);
  const floor = 1e-300 + 1e-24 * scale;
  return Math.sqrt(scale * param + Math.max(energy, 0) / basis.rows + floor);
}

/**
 * How hard a row is relative to the train block, from its fit at the measured columns:
 * ρ = sqrt((‖r_K‖² + q·σ̄²)/((|K| + q)·σ̄²)), with ‖r_K‖² the squared residual of the fit at the |K|
 * measured columns (lowrank passes the leave-one-column-out residuals, `knownLooResidualSq`), q its
 * number of coefficients and σ̄² the block's per-entry variance; the q prior
 * pseudo-residuals keep a nearly exact fit at few columns from collapsing the interval. Intervals
 * scale with ρ and κ is calibrated on |error|/(sd·ρ) of the held-out train rows, so a task whose
 * probes fit worse than usual gets wider intervals (a locally adaptive split-conformal score).
 */
export function probeScale(residualSq: number, measured: number, q: number, scale: number): number {
  const s2 = Math.max(scale, 1e-300);
  return Math.sqrt((Math.max(residualSq, 0) + q * s2) / ((measured + q) * s2));
}

/**
 * Σ_t (r_t/(1 − h_t))² over the measured columns: the fit's leave-one-column-out residuals (r_t the
 * residual, h_t = x_tᵀ(XᵀX + P)⁻¹x_t its leverage, from the ridge factor), which, unlike the
 * in-sample residual, do not shrink at high-leverage columns. `vk` holds V_K row-major with `width`
 * components per column.
 */
export function knownLooResidualSq(vk: Float64Array, width: number, cK: Float64Array, sol: RidgeSolution): number {
  const q = sol.index.length;
  const x = new Float64Array(q);
  let sum = 0;
  for (let t = 0; t < cK.length; t++) {
    let fit = 0;
    for (let a = 0; a < q; a++) {
      const ix = sol.index[a]!;
      x[a] = ix === 0 ? 1 : vk[t * width + ix - 1]!;
      fit += sol.beta[a]! * x[a]!;
    }
    let h = 0;
    if (q > 0) {
      choleskyForwardSolve(sol.factor, x, q);
      for (let a = 0; a < q; a++) h += x[a]! * x[a]!;
    }
    const r = (cK[t]! - fit) / Math.max(1 - h, 0.05);
    sum += r * r;
  }
  return sum;
}

/** Evenly spread columns used to calibrate the interval scale (at most `count`). */
export function calibrationColumns(n: number, count: number): Int32Array {
  if (n <= count) return Int32Array.from({ length: n }, (_, j) => j);
  return Int32Array.from({ length: count }, (_, t) => Math.floor(((t + 0.5) * n) / count));
}

/**
 * The interval scale κ: the `level` quantile (conformal rank ⌈level·(n+1)⌉) of |y − ŷ|/(ρ·sd) over
 * the held-out train rows of every fold at the calibration columns not in `columns` (ρ: `probeScale`
 * of the fold's fit at `columns`).
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
  const knownBlock = gatherColumns(stats, columns);
  const probeBlock = gatherColumns(stats, probe);
  const { m } = stats;
  const np = probe.length;
  const centred = hyper.variant !== 'uncentered';
  const additive = hyper.variant === 'additive';
  for (const fold of folds) {
    const fv = fold.variants.get(hyper.variant)!;
    // a fold has one train row less, so it may have one component less than the full fit
    const k = Math.min(hyper.k, fv.basis.r);
    const known = foldKnown(stats, fold, fv, columns, knownBlock);
    const normal = knownNormal(known.vk, known.cK, fv.basis.r);
    const sol = solveRidge(normal, fv.basis, stats.n, k, hyper.alpha, additive);
    if (!sol) continue;
    const rho = probeScale(knownLooResidualSq(known.vk, fv.basis.r, known.cK, sol), columns.length, sol.index.length, penaltyScale(fv.basis, stats.n));
    // the fold's rows at the calibration columns (row-major mp×|probe|), centred by columnForms with
    // the fold's column means and row shifts: prediction, parameter variance and energy in one pass
    const rows = fold.rows;
    const mp = rows.length;
    const zf = new Float64Array(mp * np);
    const off = centred ? new Float64Array(np) : null;
    const held = new Float64Array(np);
    for (let t = 0; t < np; t++) {
      const col = t * m;
      for (let a = 0; a < mp; a++) zf[a * np + t] = probeBlock.data[col + rows[a]!]!;
      held[t] = probeBlock.data[col + fold.heldOut]!;
      // fold column mean = (M·mean − held-out value)/(M − 1)
      if (off) off[t] = (m * stats.colMeans[probe[t]!]! - held[t]!) / mp;
    }
    const shift = additive ? Float64Array.from(rows, (i) => stats.rowMeans[i]! - fold.grand) : null;
    const forms = ridgeForms(fv.basis, sol);
    const { lin, quad, energy } = columnForms({ z: zf, rows: mp, cols: np, off, shift, g: forms.g, h: forms.h, t0: forms.t0 });
    const scale = penaltyScale(fv.basis, stats.n);
    const floor = 1e-300 + 1e-24 * scale;
    for (let t = 0; t < np; t++) {
      const cK = held[t]! - (off ? off[t]! : 0);
      const sd = Math.sqrt(scale * quad[t]! + Math.max(energy[t]!, 0) / fv.basis.rows + floor);
      ratios.push(Math.abs(cK - (forms.intercept + lin[t]!)) / (rho * sd));
    }
  }
  if (ratios.length === 0) return NaN;
  ratios.sort((a, b) => a - b);
  const rank = Math.min(ratios.length, Math.ceil(level * (ratios.length + 1)));
  return ratios[rank - 1]!;
}
