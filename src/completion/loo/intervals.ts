import type { TrainStats } from './basis.js';
import { foldKnown, gatherColumns, type Fold } from './folds.js';
import { knownNormal, penaltyScale, solveRidge, type LowrankHyper, type RidgeSolution } from './ridge.js';
import { forwardSubstitute } from '../../linalg/smallDense.js';
import { columnForms } from '../../linalg/cpu/columnForms.js';
import { ridgeForms } from './forms.js';
import { conformalQuantile } from '../conformal.js';

/**
 * Prediction intervals of `lowrank`: a per-column predictive standard deviation (the ridge
 * posterior's parameter variance plus the column's variance in the centred train rows), times
 * one scale κ calibrated by leave-one-task-out — κ is the empirical `level` quantile of |error|/sd of
 * the held-out train rows at a fixed subsample of unmeasured columns (split-conformal style), so the
 * interval's coverage is measured, not assumed Gaussian.
 */

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
 * The fit's leave-one-column-out residuals at the measured columns, r_t/(1 − h_t) (r_t the residual,
 * h_t = x_tᵀ(XᵀX + P)⁻¹x_t its leverage from the ridge factor, 1 − h_t floored at 0.05), and the
 * leverages h_t: exact for a ridge with a fixed penalty, and unlike the in-sample residual they do not
 * shrink at high-leverage columns. `vk` holds V_K row-major with `width` components per column.
 */
export function knownLooResiduals(
  vk: Float64Array,
  width: number,
  cK: Float64Array,
  sol: RidgeSolution,
): { residual: Float64Array; leverage: Float64Array } {
  const q = sol.index.length;
  const x = new Float64Array(q);
  const residual = new Float64Array(cK.length);
  const leverage = new Float64Array(cK.length);
  for (let t = 0; t < cK.length; t++) {
    let fit = 0;
    for (let a = 0; a < q; a++) {
      const ix = sol.index[a]!;
      x[a] = ix === 0 ? 1 : vk[t * width + ix - 1]!;
      fit += sol.beta[a]! * x[a]!;
    }
    let h = 0;
    if (q > 0) {
      forwardSubstitute(sol.factor, x, q);
      for (let a = 0; a < q; a++) h += x[a]! * x[a]!;
    }
    residual[t] = (cK[t]! - fit) / Math.max(1 - h, 0.05);
    leverage[t] = h;
  }
  return { residual, leverage };
}

/** Σ_t (r_t/(1 − h_t))² over the measured columns (see `knownLooResiduals`). */
export function knownLooResidualSq(vk: Float64Array, width: number, cK: Float64Array, sol: RidgeSolution): number {
  const { residual } = knownLooResiduals(vk, width, cK, sol);
  let sum = 0;
  for (let t = 0; t < residual.length; t++) sum += residual[t]! * residual[t]!;
  return sum;
}

/**
 * The interval scale κ: the `level` quantile (conformal rank ⌈level·(n+1)⌉) of |y − ŷ|/(ρ·sd) over
 * the held-out train rows of every fold at the calibration columns not in `columns` (`conformalQuantile`; ρ: `probeScale`
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
    const rho = probeScale(
      knownLooResidualSq(known.vk, fv.basis.r, known.cK, sol),
      columns.length,
      sol.index.length,
      penaltyScale(fv.basis, stats.n),
    );
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
    const { lin, quad, energy } = columnForms({
      z: zf,
      rows: mp,
      cols: np,
      off,
      shift,
      g: forms.g,
      h: forms.h,
      t0: forms.t0,
    });
    const scale = penaltyScale(fv.basis, stats.n);
    const floor = 1e-300 + 1e-24 * scale;
    for (let t = 0; t < np; t++) {
      const cK = held[t]! - (off ? off[t]! : 0);
      const sd = Math.sqrt(scale * quad[t]! + Math.max(energy[t]!, 0) / fv.basis.rows + floor);
      ratios.push(Math.abs(cK - (forms.intercept + lin[t]!)) / (rho * sd));
    }
  }
  return conformalQuantile(ratios, level);
}
