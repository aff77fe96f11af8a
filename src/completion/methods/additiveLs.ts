/**
 * `additive-ls`: least squares of μ + a_i + b_j over the train rows plus the new row's known entries.
 * Numeric kernel: indexed reads carry `!` where the index is < length by the loop bounds (or by the
 * shapes checked on entry).
 */
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { ForgetscopeError } from '../../util/errors.js';
import type { CompletionMethod, FitOptions, FittedCompletion, KnownEntries, RowPrediction } from '../types.js';
import { checkKnownEntries } from '../known.js';

/** Options of `additive-ls`. */
export interface AdditiveLsOptions extends FitOptions {
  /** Backfitting tolerance when the train rows have missing entries (default 1e-12, relative). */
  tolerance?: number;
  /** Backfitting sweeps cap when the train rows have missing entries (default 100,000). */
  maxSweeps?: number;
}

/**
 * `additive-ls`: the additive model Z[i][j] ≈ μ + a_i + b_j fitted by exact least squares on the
 * stacked matrix (train rows + the new row's measured entries).
 *
 * With fully observed train rows the joint least-squares solution has a closed form (derivation in
 * docs/completion-beyond-paper.md): the new row's fitted values are
 *   ẑ_j = c_j + a_new                      for unmeasured columns j,
 *   ẑ_j = c_j + a_new + (y_j − c_j − a_new)/(M + 1)   for measured columns j,
 * with c_j the train column means and a_new = mean over measured j of (y_j − c_j). O(N) per new task
 * after an O(M·N) fit. With missing train entries it backfits the same objective to convergence.
 *
 * @example
 * const fitted = await additiveLs.fit(train);
 * const { prediction } = await fitted.predictRow({ columns: Int32Array.of(0, 5), values: Float64Array.of(0.3, 0.1) });
 */
export const additiveLs: CompletionMethod<AdditiveLsOptions> = {
  name: 'additive-ls',
  async fit(train: ForgettingMatrix, options: AdditiveLsOptions = {}): Promise<FittedCompletion> {
    if (train.rows === 0) throw new ForgetscopeError('input', 'additive-ls needs at least one train row');
    const n = train.cols;
    if (train.isComplete) {
      const colMeans = trainColumnMeans(train);
      const m = train.rows;
      return {
        async predictRow(known: KnownEntries): Promise<RowPrediction> {
          checkKnownEntries(known, n);
          const k = known.columns.length;
          let a = 0;
          for (let t = 0; t < k; t++) a += known.values[t]! - colMeans[known.columns[t]!]!;
          a = k > 0 ? a / k : 0;
          const prediction = new Float64Array(n);
          for (let j = 0; j < n; j++) prediction[j] = colMeans[j]! + a;
          for (let t = 0; t < k; t++) {
            const j = known.columns[t]!;
            prediction[j] = prediction[j]! + (known.values[t]! - prediction[j]!) / (m + 1);
          }
          return { prediction };
        },
      };
    }
    const tolerance = options.tolerance ?? 1e-12;
    const maxSweeps = options.maxSweeps ?? 100000;
    return {
      async predictRow(known: KnownEntries): Promise<RowPrediction> {
        checkKnownEntries(known, n);
        return { prediction: backfitAdditive(train, known, tolerance, maxSweeps) };
      },
    };
  },
};

/** Column means of a fully observed matrix, float64. */
export function trainColumnMeans(z: ForgettingMatrix): Float64Array {
  const m = z.rows;
  const n = z.cols;
  const out = new Float64Array(n);
  const v = z.values;
  for (let i = 0; i < m; i++) {
    const base = i * n;
    for (let j = 0; j < n; j++) out[j]! += v[base + j]!;
  }
  for (let j = 0; j < n; j++) out[j]! /= m;
  return out;
}

/**
 * Least squares of μ + a_i + b_j over the observed train entries plus the new row's known entries,
 * by block coordinate descent (each sweep solves every row effect, then every column effect, exactly);
 * returns the new row's fitted values. Columns observed nowhere get b_j = 0.
 */
function backfitAdditive(
  train: ForgettingMatrix,
  known: KnownEntries,
  tolerance: number,
  maxSweeps: number,
): Float64Array {
  const m = train.rows;
  const n = train.cols;
  const v = train.values;
  const mask = train.mask!;
  const rowEff = new Float64Array(m + 1);
  const colEff = new Float64Array(n);
  const knownValue = new Float64Array(n).fill(NaN);
  for (let t = 0; t < known.columns.length; t++) knownValue[known.columns[t]!] = known.values[t]!;
  const colSum = new Float64Array(n);
  const colCount = new Float64Array(n);
  const lastCol = new Float64Array(n);
  let scale = 1e-300;
  for (let k = 0; k < v.length; k++) if (mask[k]) scale = Math.max(scale, Math.abs(v[k]!));
  for (let t = 0; t < known.values.length; t++) scale = Math.max(scale, Math.abs(known.values[t]!));
  let previous = Infinity;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    // row effects
    for (let i = 0; i < m; i++) {
      let s = 0;
      let c = 0;
      for (let j = 0; j < n; j++) {
        if (mask[i * n + j]) {
          s += v[i * n + j]! - colEff[j]!;
          c++;
        }
      }
      rowEff[i] = c > 0 ? s / c : 0;
    }
    {
      let s = 0;
      let c = 0;
      for (let t = 0; t < known.columns.length; t++) {
        s += known.values[t]! - colEff[known.columns[t]!]!;
        c++;
      }
      rowEff[m] = c > 0 ? s / c : 0;
    }
    // column effects
    colSum.fill(0);
    colCount.fill(0);
    for (let i = 0; i < m; i++) {
      const a = rowEff[i]!;
      for (let j = 0; j < n; j++) {
        if (mask[i * n + j]) {
          colSum[j]! += v[i * n + j]! - a;
          colCount[j]!++;
        }
      }
    }
    let sse = 0;
    for (let j = 0; j < n; j++) {
      if (!Number.isNaN(knownValue[j]!)) {
        colSum[j]! += knownValue[j]! - rowEff[m]!;
        colCount[j]!++;
      }
      colEff[j] = colCount[j]! > 0 ? colSum[j]! / colCount[j]! : 0;
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        if (mask[i * n + j]) {
          const r = v[i * n + j]! - rowEff[i]! - colEff[j]!;
          sse += r * r;
        }
      }
    }
    for (let t = 0; t < known.columns.length; t++) {
      const r = known.values[t]! - rowEff[m]! - colEff[known.columns[t]!]!;
      sse += r * r;
    }
    // Stop when a sweep no longer lowers the objective (relative), checked only after the effects
    // stop moving too: a small decrease alone can come from slow linear convergence.
    let moved = 0;
    for (let j = 0; j < n; j++) moved = Math.max(moved, Math.abs(colEff[j]! - lastCol[j]!));
    lastCol.set(colEff);
    if (previous - sse <= tolerance * Math.max(previous, 1e-300) && moved <= tolerance * scale) break;
    previous = sse;
  }
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) out[j] = rowEff[m]! + colEff[j]!;
  return out;
}
