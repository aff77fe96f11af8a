import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { selectSideRows, sideRowOf, type SideMatrices } from '../../matrix/sideMatrices.js';
import { ForgetscopeError } from '../../util/errors.js';
import type { CompletionMethod, FitOptions, FittedCompletion, KnownEntries, RowPrediction } from '../types.js';
import { checkKnownEntries } from '../known.js';
import { additiveLs } from './additiveLs.js';
import { knn } from './knn.js';
import { lowrank } from './lowrank/lowrank.js';
import { foldRows } from '../loo/index.js';
import { calibrationColumns, conformalQuantile } from '../conformal.js';
import { addJitter, choleskySolveInPlace } from '../../linalg/smallDense.js';
import { itemAt } from '../../util/checked.js';

/**
 * `ensemble`: a stacked combination (Breiman's stacked regression) of completion methods. Each member
 * is fitted on the train rows and, for leave-one-task-out, on the train rows without each of up to
 * `maxFolds` held-out rows; for a new task's measured columns, every held-out row is completed by every
 * member from exactly those columns, and the non-negative weights minimising the squared error over
 * the held-out rows' unmeasured entries are the ensemble's weights (cached per column set). Side
 * matrices go to every member (those that use side, use them). Intervals: the lowrank member's
 * interval shape, rescaled by a leave-one-task-out conformal factor of the ensemble's own errors.
 */

/** Options of `ensemble`. */
export interface EnsembleOptions extends FitOptions {
  /** The methods combined (default `additive-ls`, `lowrank`, `knn`: the ones cheap enough to refit per fold). */
  members?: readonly CompletionMethod[];
  /** Held-out train rows used for the weights (default 12, evenly spread; all when M ≤ 12). */
  maxFolds?: number;
  /** Nominal coverage of the intervals (default 0.9). */
  level?: number;
  /** Return intervals when a member gives them (default true). */
  intervals?: boolean;
}

/** A fitted ensemble: `predictRow` plus the weights it uses for a set of measured columns. */
export interface FittedEnsemble extends FittedCompletion {
  /** Member names, in order. */
  readonly names: readonly string[];
  /** Weights per member for these measured columns, their leave-one-task-out RMSE and interval scale. */
  weights(columns: Int32Array): Promise<{ weights: Float64Array; looRmse: number; kappa: number }>;
}

/** @example const fitted = await ensemble.fit(train, { side }); */
export const ensemble: CompletionMethod<EnsembleOptions> = { name: 'ensemble', fit: fitEnsemble };

/**
 * Non-negative least squares min ‖y − P·w‖², w ≥ 0, from the normal equations A = PᵀP (p×p) and
 * b = Pᵀy, exactly, by trying every support (the ensembles here have a handful of members). A larger
 * support wins only when it lowers the error by more than 1e-12·‖y‖² (ties go to the smaller one).
 */
export function nnlsSmall(a: Float64Array, b: Float64Array, yy: number, p: number): { w: Float64Array; sse: number } {
  if (p > 12) throw new ForgetscopeError('usage', `nnlsSmall: ${p} members is too many to enumerate (at most 12)`);
  let best = { w: new Float64Array(p), sse: yy };
  // supports by size, so that a larger support must lower the error by more than rounding to win
  const masks = Array.from({ length: (1 << p) - 1 }, (_, k) => k + 1);
  const size = (x: number) => x.toString(2).replace(/0/g, '').length;
  masks.sort((u, v) => size(u) - size(v) || u - v);
  for (const mask of masks) {
    const idx: number[] = [];
    for (let i = 0; i < p; i++) if (mask & (1 << i)) idx.push(i);
    const q = idx.length;
    const sub = new Float64Array(q * q);
    const rhs = new Float64Array(q);
    for (let x = 0; x < q; x++) {
      rhs[x] = itemAt(b, itemAt(idx, x));
      for (let y = 0; y < q; y++) sub[x * q + y] = itemAt(a, itemAt(idx, x) * p + itemAt(idx, y));
    }
    addJitter(sub, q);
    if (!choleskySolveInPlace(sub, rhs, q)) continue;
    if (rhs.some((v) => v < 0)) continue;
    const w = new Float64Array(p);
    let sse = yy;
    for (let x = 0; x < q; x++) {
      w[itemAt(idx, x)] = itemAt(rhs, x);
      sse -= 2 * itemAt(rhs, x) * itemAt(b, itemAt(idx, x));
      for (let y = 0; y < q; y++)
        sse += itemAt(rhs, x) * itemAt(a, itemAt(idx, x) * p + itemAt(idx, y)) * itemAt(rhs, y);
    }
    if (sse < best.sse - 1e-12 * yy) best = { w, sse: Math.max(sse, 0) };
  }
  return best;
}

/** What `weights` returns: the members' weights, their leave-one-task-out RMSE and the interval scale. */
type EnsembleWeights = { weights: Float64Array; looRmse: number; kappa: number };

/** One leave-one-task-out fold: the held-out train row and the members fitted without it. */
type EnsembleFold = { h: number; fitted: FittedCompletion[] };

/** A fold's held-out row, its mask and every member's completion of it from the measured columns. */
type FoldPredictions = { truth: Float64Array; mask: Uint8Array | null; preds: RowPrediction[] };

/** `ensemble.fit` with its richer return type. */
export async function fitEnsemble(train: ForgettingMatrix, options: EnsembleOptions = {}): Promise<FittedEnsemble> {
  const members = options.members ?? [additiveLs, lowrank, knn()];
  if (members.length === 0) throw new ForgetscopeError('usage', 'ensemble: no member methods');
  const m = train.rows;
  const n = train.cols;
  if (m < 3) throw new ForgetscopeError('input', `ensemble needs at least 3 train rows, got ${m}`);
  const level = options.level ?? 0.9;
  if (!(level > 0 && level < 1))
    throw new ForgetscopeError('usage', `ensemble: interval level must be in (0, 1), got ${level}`);
  const side: SideMatrices | null = options.side && options.side.length > 0 ? options.side : null;
  const { full, folds } = await fitMembersAndFolds(train, members, side, options);
  const wantIntervals = options.intervals ?? true;
  const calib = calibrationColumns(n, 400);
  const cache = new Map<string, Promise<EnsembleWeights>>();

  async function compute(columns: Int32Array): Promise<EnsembleWeights> {
    const measured = new Uint8Array(n);
    for (const c of columns) measured[c] = 1;
    const foldPreds = await predictFolds(train, folds, columns, side);
    const { a, b, yy, cells } = stackedNormal(foldPreds, measured, members.length);
    const { w, sse } = nnlsSmall(a, b, yy, members.length);
    // conformal scale of the ensemble's errors against the first member's interval half-width that has one
    const shaped = full.length > 0 ? (foldPreds[0]?.preds.findIndex((r) => r.lower && r.upper) ?? -1) : -1;
    const kappa = wantIntervals && shaped >= 0 ? stackedScale(foldPreds, w, shaped, calib, measured, level) : NaN;
    return { weights: w, looRmse: Math.sqrt(sse / Math.max(cells, 1)), kappa };
  }

  function weights(columns: Int32Array): Promise<EnsembleWeights> {
    const key = Array.from(columns).join(',');
    let hit = cache.get(key);
    if (!hit) {
      hit = compute(columns);
      const oldest = cache.keys().next();
      if (cache.size > 256 && !oldest.done) cache.delete(oldest.value);
      cache.set(key, hit);
    }
    return hit;
  }

  async function predictRow(known: KnownEntries): Promise<RowPrediction> {
    checkKnownEntries(known, n);
    const { weights: w, kappa } = await weights(known.columns);
    const preds = await Promise.all(full.map((f) => f.predictRow(known)));
    return combine(preds, w, wantIntervals ? kappa : NaN, n);
  }

  return { predictRow, names: members.map((method) => method.name), weights };
}

/** Fits every member on the train rows and, per leave-one-task-out fold, on the train rows without the held-out one. */
async function fitMembersAndFolds(
  train: ForgettingMatrix,
  members: readonly CompletionMethod[],
  side: SideMatrices | null,
  options: EnsembleOptions,
): Promise<{ full: FittedCompletion[]; folds: EnsembleFold[] }> {
  const m = train.rows;
  const { members: _m, maxFolds: _f, level: _l, intervals: _i, ...memberOptions } = options;
  const fitMembers = (rows: ForgettingMatrix, s: SideMatrices | null) =>
    Promise.all(members.map((method) => method.fit(rows, { ...memberOptions, ...(s ? { side: s } : {}) })));
  const full = await fitMembers(train, side);
  const folds: EnsembleFold[] = [];
  const heldOut = foldRows(m, options.maxFolds ?? 12);
  for (let f = 0; f < heldOut.length; f++) {
    const h = itemAt(heldOut, f);
    const rows = Int32Array.from({ length: m - 1 }, (_, a) => (a < h ? a : a + 1));
    options.progress?.(f, heldOut.length, 'ensemble: folds');
    folds.push({ h, fitted: await fitMembers(train.selectRows(rows), side ? selectSideRows(side, rows) : null) });
  }
  options.progress?.(heldOut.length, heldOut.length, 'ensemble: ready');
  return { full, folds };
}

/** Every fold's held-out row completed by every member from its entries at `columns` (the measured ones). */
async function predictFolds(
  train: ForgettingMatrix,
  folds: readonly EnsembleFold[],
  columns: Int32Array,
  side: SideMatrices | null,
): Promise<FoldPredictions[]> {
  const out: FoldPredictions[] = [];
  for (const fold of folds) {
    const truth = Float64Array.from(train.row(fold.h));
    const mask = train.rowMask(fold.h);
    const cols = mask ? Int32Array.from(Array.from(columns).filter((c) => mask[c] === 1)) : columns;
    const known: KnownEntries = {
      columns: cols,
      values: Float64Array.from(cols, (c) => itemAt(truth, c)),
      ...(side ? { side: sideRowOf(side, fold.h) } : {}),
    };
    out.push({ truth, mask, preds: await Promise.all(fold.fitted.map((f) => f.predictRow(known))) });
  }
  return out;
}

/**
 * The normal equations of the stacking regression over the held-out rows' unmeasured observed entries:
 * A = PᵀP and b = Pᵀy (P: the members' predictions, one column per member), yᵀy and the entry count.
 */
function stackedNormal(
  foldPreds: readonly FoldPredictions[],
  measured: Uint8Array,
  p: number,
): { a: Float64Array; b: Float64Array; yy: number; cells: number } {
  const a = new Float64Array(p * p);
  const b = new Float64Array(p);
  let yy = 0;
  let cells = 0;
  for (const { truth, mask, preds } of foldPreds) {
    for (let j = 0; j < truth.length; j++) {
      if (measured[j] || (mask && mask[j] === 0)) continue;
      const y = itemAt(truth, j);
      yy += y * y;
      cells++;
      for (let x = 0; x < p; x++) {
        const px = itemAt(itemAt(preds, x).prediction, j);
        b[x] = itemAt(b, x) + px * y;
        for (let z = 0; z <= x; z++) a[x * p + z] = itemAt(a, x * p + z) + px * itemAt(itemAt(preds, z).prediction, j);
      }
    }
  }
  for (let x = 0; x < p; x++) for (let z = 0; z < x; z++) a[z * p + x] = itemAt(a, x * p + z);
  return { a, b, yy, cells };
}

/**
 * The interval scale of the ensemble: the conformal `level` quantile of |y − Σ w·pred| over the
 * interval half-width of member `shaped`, at the unmeasured calibration columns of the held-out rows.
 */
function stackedScale(
  foldPreds: readonly FoldPredictions[],
  w: Float64Array,
  shaped: number,
  calib: Int32Array,
  measured: Uint8Array,
  level: number,
): number {
  const ratios: number[] = [];
  for (const { truth, preds } of foldPreds) {
    const r = itemAt(preds, shaped);
    if (!r.lower || !r.upper) continue;
    for (const j of calib) {
      if (measured[j]) continue;
      let e = 0;
      for (let x = 0; x < w.length; x++) e += itemAt(w, x) * itemAt(itemAt(preds, x).prediction, j);
      const half = (itemAt(r.upper, j) - itemAt(r.lower, j)) / 2;
      if (half > 0) ratios.push(Math.abs(itemAt(truth, j) - e) / half);
    }
  }
  return conformalQuantile(ratios, level);
}

/** The weighted sum of the members' predictions, with the first member interval's shape scaled by κ (NaN: none). */
function combine(preds: readonly RowPrediction[], w: Float64Array, kappa: number, n: number): RowPrediction {
  const prediction = new Float64Array(n);
  for (let x = 0; x < preds.length; x++) {
    const wx = itemAt(w, x);
    if (wx === 0) continue;
    const px = itemAt(preds, x).prediction;
    for (let j = 0; j < n; j++) prediction[j] = itemAt(prediction, j) + wx * itemAt(px, j);
  }
  const shape = preds.find((r) => r.lower && r.upper);
  const shapeLower = shape?.lower;
  const shapeUpper = shape?.upper;
  if (!shapeLower || !shapeUpper || !Number.isFinite(kappa)) return { prediction };
  const lower = new Float64Array(n);
  const upper = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const half = (kappa * (itemAt(shapeUpper, j) - itemAt(shapeLower, j))) / 2;
    lower[j] = itemAt(prediction, j) - half;
    upper[j] = itemAt(prediction, j) + half;
  }
  return { prediction, lower, upper };
}
