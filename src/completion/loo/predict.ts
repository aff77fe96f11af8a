// Numeric kernel: indexed reads carry `!` where the index is < length by the loop bounds (the arrays
// are sized from the same counts: rows, columns, components, side columns) or by the shapes checked on entry.
import type { Backend } from '../../linalg/types.js';
import { columnFormsOn } from '../../linalg/columnFormsOn.js';
import type { KnownEntries, RowPrediction } from '../types.js';
import { probeConformalScale } from '../conformal.js';
import { addComponents, taskKnown, type FullBasis, type TrainStats, type VariantBasis } from './basis.js';
import { gatherColumns } from './folds.js';
import { ridgeForms } from './forms.js';
import { intervalSd, knownLooResiduals, parameterVariance, probeScale } from './intervals.js';
import { knownNormal, penaltyScale, solveRidgeOrShrink, type KnownNormal, type LowrankHyper } from './ridge.js';
import { taskSideNormal, type SideStats } from './side.js';

/**
 * A new task's completed row from the one ridge on the full train rows: its fit at the measured
 * columns (with side columns when the setting has them), the prediction of every column and, with
 * intervals, the per-column interval scaled by the task's own probe calibration or the train
 * scale κ·ρ.
 */

/** What a prediction reads from a fitted model: train statistics, bases and the backend. */
export interface TaskModel {
  stats: TrainStats;
  /** The full-train singular values and left vectors of a centring (no V). */
  smallBasis(variant: VariantBasis['variant']): VariantBasis;
  /** The full-train basis of a centring (with V), or a prefix of at least min(k, r) components. */
  fullBasis(variant: VariantBasis['variant'], k?: number): Promise<FullBasis>;
  backend: Backend;
}

/** The interval of a prediction: train scale κ (NaN: no interval) and the probe calibration level (NaN: train scale only). */
export interface TaskIntervals {
  kappa: number;
  probeLevel: number;
}

/**
 * Completes a new task's row with setting `hyper`: without side columns and with intervals, straight
 * from the train block (`predictFromColumns`); otherwise on the full-train basis
 * (`predictFromBasis`), with the task's side rows in `side` when `hyper.side` is set.
 */
export async function predictTask(
  model: TaskModel,
  known: KnownEntries,
  hyper: LowrankHyper,
  intervals: TaskIntervals,
  side?: { stats: SideStats; row: readonly (Float64Array | Float32Array)[] },
): Promise<RowPrediction> {
  const withIntervals = Number.isFinite(intervals.kappa);
  if (!side && withIntervals)
    return predictFromColumns(model.stats, model.smallBasis(hyper.variant), known, hyper, intervals, model.backend);
  // without intervals only the leading hyper.k components are used: a prefix basis suffices
  const basis = await model.fullBasis(hyper.variant, side ? undefined : hyper.k);
  return predictFromBasis(model.stats, basis, known, hyper, withIntervals ? intervals : null, side);
}

/**
 * The prediction on a full-train basis: the ridge at the measured columns on V_K (and S_K), then
 * offset + a + V·w (+ Σ_l γ_l·s_l) in O(k·N); with `intervals`, each column's sd from its design row.
 */
function predictFromBasis(
  stats: TrainStats,
  basis: FullBasis,
  known: KnownEntries,
  hyper: LowrankHyper,
  intervals: TaskIntervals | null,
  side?: { stats: SideStats; row: readonly (Float64Array | Float32Array)[] },
): RowPrediction {
  const { n } = stats;
  const { columns, values } = known;
  let normal: KnownNormal;
  if (side) normal = taskSideNormal(basis, side.stats, side.row, known, hyper.k);
  else {
    const { vk, cK, r } = taskKnown(basis, n, columns, values, hyper.k);
    normal = knownNormal(vk, cK, r);
  }
  const L = normal.sides;
  const k = normal.r;
  const setting = { k, alpha: hyper.alpha, intercept: hyper.variant === 'additive', alphaSide: hyper.side ?? 0 };
  const sol = solveRidgeOrShrink(normal, basis, n, setting);
  let intercept = 0;
  const w = new Float64Array(k);
  const gamma = new Float64Array(L);
  for (let x = 0; x < sol.index.length; x++) {
    const ix = sol.index[x]!;
    if (ix === 0) intercept = sol.beta[x]!;
    else if (ix > L) w[ix - 1 - L] = sol.beta[x]!;
    else gamma[ix - 1] = sol.beta[x]!;
  }
  // offset + a, then one contiguous axpy per component (V is column-major): O(k·N), streaming.
  const prediction = new Float64Array(n);
  addComponents(prediction, basis.v, n, w, k, basis.offset, intercept);
  for (let l = 0; l < L; l++) {
    const s = side!.row[l]!;
    for (let j = 0; j < n; j++) prediction[j]! += gamma[l]! * s[j]!;
  }
  if (!intervals) return { prediction };
  const scale = penaltyScale(basis, n);
  const energyK = Float64Array.from(columns, (j) => basis.colEnergy[j]!);
  const factor = taskFactor(normal, sol, energyK, basis.rows, scale, intervals);
  const q = sol.index.length;
  const x = new Float64Array(q);
  const lower = new Float64Array(n);
  const upper = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    for (let a = 0; a < q; a++) {
      const ix = sol.index[a]!;
      x[a] = ix === 0 ? 1 : ix <= L ? side!.row[ix - 1]![j]! : basis.v[(ix - 1 - L) * n + j]!;
    }
    const sd = factor * intervalSd(scale, parameterVariance(sol.factor, x, q), basis.colEnergy[j]!, basis.rows);
    lower[j] = prediction[j]! - sd;
    upper[j] = prediction[j]! + sd;
  }
  return { prediction, lower, upper };
}

/**
 * The interval factor of a task's fit: calibrated on its own probes where it has enough of them (the
 * conformal quantile of its leave-one-column-out residuals over the interval's shape there, the shape
 * at a measured column being the same form with its leverage as the parameter variance), else the
 * train scale κ times how hard the task is (ρ, `probeScale` of the same residuals; κ was calibrated
 * with the same score).
 */
function taskFactor(
  normal: KnownNormal,
  sol: ReturnType<typeof solveRidgeOrShrink>,
  energyK: Float64Array,
  rows: number,
  scale: number,
  intervals: TaskIntervals,
): number {
  const loo = knownLooResiduals(normal.vk, normal.r, normal.cK, sol, normal.sk, normal.sides);
  let residualSq = 0;
  for (let t = 0; t < loo.residual.length; t++) residualSq += loo.residual[t]! * loo.residual[t]!;
  const rho = probeScale(residualSq, loo.residual.length, sol.index.length, scale);
  const probeSd = Float64Array.from(loo.leverage, (h, t) => intervalSd(scale, h, energyK[t]!, rows));
  const own = Number.isNaN(intervals.probeLevel)
    ? NaN
    : probeConformalScale(loo.residual, probeSd, intervals.probeLevel);
  return Number.isFinite(own) ? own : intervals.kappa * rho;
}

/**
 * A prediction with intervals straight from the train block, without the N×k right singular vectors:
 * V_K at the measured columns from the gathered columns, the ridge fit as in the basis path, then one
 * `columnForms` pass (on the backend: `columnFormsOn`) over the centred train columns gives every
 * column's prediction, parameter variance ‖L⁻¹·(1?, v_j)‖² and residual energy (see `ridgeForms`).
 * O(M·N·(k + 2)) in one streaming pass; nothing of size N·k is formed.
 */
async function predictFromColumns(
  stats: TrainStats,
  basis: VariantBasis,
  known: KnownEntries,
  hyper: LowrankHyper,
  intervals: TaskIntervals,
  backend: Backend,
): Promise<RowPrediction> {
  const { m, n } = stats;
  const centred = hyper.variant !== 'uncentered';
  const additive = hyper.variant === 'additive';
  const k = Math.min(hyper.k, basis.r);
  const r = basis.r;
  const u = basis.u;
  const shift = additive ? Float64Array.from(stats.rowMeans, (x) => x - stats.grand) : null;
  const off = centred ? stats.colMeans : null;
  const block = gatherColumns(stats, known.columns);
  const kk = known.columns.length;
  const vk = new Float64Array(kk * k);
  const cK = new Float64Array(kk);
  const acc = new Float64Array(k);
  const energyK = new Float64Array(kk);
  for (let t = 0; t < kk; t++) {
    const j = known.columns[t]!;
    const o = off ? off[j]! : 0;
    cK[t] = known.values[t]! - o;
    acc.fill(0);
    let e = 0;
    for (let a = 0; a < m; a++) {
      const x = block.data[t * m + a]! - o - (shift ? shift[a]! : 0);
      e += x * x;
      for (let c = 0; c < k; c++) acc[c]! += x * u[a * r + c]!;
    }
    energyK[t] = e;
    for (let c = 0; c < k; c++) vk[t * k + c] = acc[c]! / basis.s[c]!;
  }
  const normal = knownNormal(vk, cK, k);
  const sol = solveRidgeOrShrink(normal, basis, n, { k, alpha: hyper.alpha, intercept: additive });
  const forms = ridgeForms(basis, sol);
  const { lin, quad, energy } = await columnFormsOn(backend, {
    z: stats.z.data,
    rows: m,
    cols: n,
    off,
    shift,
    g: forms.g,
    h: forms.h,
    t0: forms.t0,
  });
  const scale = penaltyScale(basis, n);
  const factor = taskFactor(normal, sol, energyK, basis.rows, scale, intervals);
  const prediction = new Float64Array(n);
  const lower = new Float64Array(n);
  const upper = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const y = (off ? off[j]! : 0) + forms.intercept + lin[j]!;
    const sd = factor * intervalSd(scale, quad[j]!, energy[j]!, basis.rows);
    prediction[j] = y;
    lower[j] = y - sd;
    upper[j] = y + sd;
  }
  return { prediction, lower, upper };
}
