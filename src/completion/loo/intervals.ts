// Numeric kernel: indexed reads carry `!` where the index is < length by the loop bounds (the arrays
// are sized from the same counts: rows, columns, components, side columns) or by the shapes checked on entry.
import type { LowrankVariant, TrainStats } from './basis.js';
import { foldKnown, gatherColumns, type GatheredColumns, type Fold, type FoldVariant } from './folds.js';
import {
  designRow,
  penaltyScale,
  solveRidge,
  type KnownNormal,
  type LowrankHyper,
  type RidgeSolution,
} from './ridge.js';
import { forwardSubstitute } from '../../linalg/smallDense.js';
import { columnForms } from '../../linalg/cpu/columnForms.js';
import { ridgeForms } from './forms.js';
import { foldNormal } from './select.js';
import { rawHeldOut, sideAt, type SideStats } from './side.js';
import { conformalQuantile } from '../conformal.js';

/**
 * Prediction intervals of `lowrank` (with or without side columns): a per-column predictive standard
 * deviation (`intervalSd`: the ridge posterior's parameter variance plus the column's variance in the
 * centred train rows), times
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
 * The predictive standard deviation of one column: sqrt(σ̄²·‖L⁻¹x‖² + energy/rows + a floor), with
 * `param` = ‖L⁻¹x‖² the ridge posterior's parameter variance at the column's design row x (in units of
 * σ̄² = `scale`), `energy` the column's Σ of squared centred train values over `rows` rows.
 */
export function intervalSd(scale: number, param: number, energy: number, rows: number): number {
  return Math.sqrt(scale * param + Math.max(energy, 0) / rows + (1e-300 + 1e-24 * scale));
}

/**
 * The fit's leave-one-column-out residuals at the measured columns, r_t/(1 − h_t) (r_t the residual,
 * h_t = x_tᵀ(XᵀX + P)⁻¹x_t its leverage from the ridge factor, 1 − h_t floored at 0.05), the
 * leverages h_t and the in-sample residuals r_t (`raw`). The first are exact for a ridge with a fixed
 * penalty and, unlike the in-sample residuals, do not shrink at high-leverage columns. `vk` holds V_K row-major with `width` components per column, `sk`
 * the side values S_K with `sides` per column (none without side columns).
 */
export function knownLooResiduals(
  vk: Float64Array,
  width: number,
  cK: Float64Array,
  sol: RidgeSolution,
  sk: Float64Array = new Float64Array(0),
  sides = 0,
): { residual: Float64Array; leverage: Float64Array; raw: Float64Array } {
  const q = sol.index.length;
  const x = new Float64Array(q);
  const residual = new Float64Array(cK.length);
  const leverage = new Float64Array(cK.length);
  const raw = new Float64Array(cK.length);
  for (let t = 0; t < cK.length; t++) {
    designRow(x, sol.index, t, vk, width, sk, sides);
    let fit = 0;
    for (let a = 0; a < q; a++) fit += sol.beta[a]! * x[a]!;
    let h = 0;
    if (q > 0) {
      forwardSubstitute(sol.factor, x, q);
      for (let a = 0; a < q; a++) h += x[a]! * x[a]!;
    }
    raw[t] = cK[t]! - fit;
    residual[t] = raw[t]! / Math.max(1 - h, 0.05);
    leverage[t] = h;
  }
  return { residual, leverage, raw };
}

/** Σ_t (r_t/(1 − h_t))² over the measured columns (see `knownLooResiduals`). */
export function knownLooResidualSq(
  vk: Float64Array,
  width: number,
  cK: Float64Array,
  sol: RidgeSolution,
  sk?: Float64Array,
  sides = 0,
): number {
  return sumOfSquares(knownLooResiduals(vk, width, cK, sol, sk, sides).residual);
}

function sumOfSquares(x: Float64Array): number {
  let sum = 0;
  for (let t = 0; t < x.length; t++) sum += x[t]! * x[t]!;
  return sum;
}

/** One held-out train row's fit at the calibration columns (see `foldHeldOut`). */
export interface HeldOutFit {
  /** The calibration columns not measured (the entries below are at these). */
  probe: Int32Array;
  /** The held-out row's values there (centred like `prediction`). */
  truth: Float64Array;
  prediction: Float64Array;
  /** Predictive sd of each column (the interval's shape). */
  sd: Float64Array;
  /** How hard the row is from its fit at the measured columns (`probeScale`). */
  rho: number;
  /** The fit's in-sample residuals at the measured columns, in their order (what the example effects see). */
  knownResidual: Float64Array;
}

/**
 * Every fold's held-out row completed from `columns` with the setting `hyper` (with the side columns
 * of `side` when given; then `hyper.side` is α_s), evaluated at the calibration columns not in
 * `columns`: what the interval scale (`heldOutScale`) and the example effects' prior are learned from.
 */
export function foldHeldOut(
  stats: TrainStats,
  folds: readonly Fold[],
  columns: Int32Array,
  hyper: LowrankHyper,
  calibration: Int32Array,
  side?: SideStats,
): HeldOutFit[] {
  const measured = new Set(columns);
  const probe = Int32Array.from(Array.from(calibration).filter((j) => !measured.has(j)));
  const out: HeldOutFit[] = [];
  const knownBlock = gatherColumns(stats, columns);
  const probeBlock = gatherColumns(stats, probe);
  for (const fold of folds) {
    const fv = fold.variants.get(hyper.variant)!;
    // a fold has one train row less, so it may have one component less than the full fit
    const k = Math.min(hyper.k, fv.basis.r);
    const { normal } = foldNormal(stats, fold, hyper.variant, columns, knownBlock, side);
    const intercept = hyper.variant === 'additive';
    const sol = solveRidge(normal, fv.basis, stats.n, { k, alpha: hyper.alpha, intercept, alphaSide: hyper.side ?? 0 });
    if (!sol) continue;
    const scale = penaltyScale(fv.basis, stats.n);
    const loo = knownLooResiduals(normal.vk, fv.basis.r, normal.cK, sol, normal.sk, normal.sides);
    const rho = probeScale(sumOfSquares(loo.residual), columns.length, sol.index.length, scale);
    const at = { stats, fold, fv, sol, probe, probeBlock, scale };
    const forms = side ? sideColumnForms(at, side, normal) : foldColumnForms(at, hyper.variant);
    out.push({ probe, ...forms, rho, knownResidual: loo.raw });
  }
  return out;
}

/**
 * The interval scale κ: the `level` quantile (conformal rank ⌈level·(n+1)⌉) of |y − ŷ|/(ρ·sd) over
 * the held-out train rows of every fold at the calibration columns not measured (`foldHeldOut`;
 * `conformalQuantile`).
 */
export function heldOutScale(heldOut: readonly HeldOutFit[], level: number): number {
  const ratios: number[] = [];
  for (const { truth, prediction, sd, rho } of heldOut)
    for (let t = 0; t < truth.length; t++) ratios.push(Math.abs(truth[t]! - prediction[t]!) / (rho * sd[t]!));
  return conformalQuantile(ratios, level);
}

/** A fold's fit at the calibration columns: what `foldColumnForms` and `sideColumnForms` evaluate. */
interface FoldFit {
  stats: TrainStats;
  fold: Fold;
  fv: FoldVariant;
  sol: RidgeSolution;
  probe: Int32Array;
  probeBlock: GatheredColumns;
  scale: number;
}

/**
 * The held-out row's centred values, predictions and predictive sd at the calibration columns: the
 * fold's rows there (row-major mp×|probe|), centred by `columnForms` with the fold's column means and
 * row shifts, give prediction, parameter variance and energy in one pass without forming V.
 */
function foldColumnForms(
  { stats, fold, fv, sol, probe, probeBlock, scale }: FoldFit,
  variant: LowrankVariant,
): { truth: Float64Array; prediction: Float64Array; sd: Float64Array } {
  const { m } = stats;
  const np = probe.length;
  const centred = variant !== 'uncentered';
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
  const shift = variant === 'additive' ? Float64Array.from(rows, (i) => stats.rowMeans[i]! - fold.grand) : null;
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
  const truth = new Float64Array(np);
  const prediction = new Float64Array(np);
  const sd = new Float64Array(np);
  for (let t = 0; t < np; t++) {
    truth[t] = held[t]! - (off ? off[t]! : 0);
    prediction[t] = forms.intercept + lin[t]!;
    sd[t] = intervalSd(scale, quad[t]!, energy[t]!, fv.basis.rows);
  }
  return { truth, prediction, sd };
}

/**
 * The same with side columns, column by column from the fold's V at the calibration columns
 * (`columnForms` has no per-column side term): design row x_j, prediction βᵀx_j, parameter variance
 * ‖L⁻¹x_j‖², against the held-out row's raw values.
 */
function sideColumnForms(
  { stats, fold, fv, sol, probe, probeBlock, scale }: FoldFit,
  side: SideStats,
  normal: KnownNormal,
): { truth: Float64Array; prediction: Float64Array; sd: Float64Array } {
  const at = foldKnown(stats, fold, fv, probe, probeBlock);
  const sp = sideAt(side.data, fold.heldOut, stats.n, probe);
  rawHeldOut(side, fold.heldOut, at.cK, sp);
  const q = sol.index.length;
  const x = new Float64Array(q);
  const np = probe.length;
  const prediction = new Float64Array(np);
  const sd = new Float64Array(np);
  for (let t = 0; t < np; t++) {
    designRow(x, sol.index, t, at.vk, fv.basis.r, sp, normal.sides);
    let pred = 0;
    for (let a = 0; a < q; a++) pred += sol.beta[a]! * x[a]!;
    prediction[t] = pred;
    sd[t] = intervalSd(scale, parameterVariance(sol.factor, x, q), at.energy[t]!, fv.basis.rows);
  }
  return { truth: at.cK, prediction, sd };
}

/** ‖L⁻¹x‖² for the ridge factor L (q×q) and a design row x (overwritten). */
export function parameterVariance(factor: Float64Array, x: Float64Array, q: number): number {
  forwardSubstitute(factor, x, q);
  let param = 0;
  for (let t = 0; t < q; t++) param += x[t]! * x[t]!;
  return param;
}
