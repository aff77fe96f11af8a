/**
 * The additive and one-way (row-only, column-only) least-squares fits.
 * Numeric kernel: indexed reads carry `!` where the index is < length by the loop bounds (i < M,
 * j < N, k < M·N over arrays of those lengths).
 */
import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import { ForgetscopeError } from '../util/errors.js';
import { fitQuality, observedMoments, type FitQuality, type ObservedMoments } from './goodnessOfFit.js';
import { observedSums, type ObservedBlock } from './observedSums.js';

/** The additive model `Z[i][j] ≈ μ + a[i] + b[j]` with its fit over the observed entries. */
export interface AdditiveFit extends FitQuality {
  /** Grand level μ. */
  mu: number;
  /** Task (row) effects a, length M, centred: mean over tasks with observations is 0. */
  taskEffects: Float64Array;
  /** Example (column) effects b, length N, centred: mean over examples with observations is 0. */
  exampleEffects: Float64Array;
  /** How it was solved: closed form (complete matrix) or backfitting over observed entries. */
  method: 'closed-form' | 'backfit';
  /** Backfitting sweeps (1 for the closed form). */
  iterations: number;
  /** Whether backfitting met its tolerance (always true for the closed form). */
  converged: boolean;
}

/** Options of `fitAdditive`. */
export interface FitAdditiveOptions {
  /**
   * `auto` (default): closed form when the matrix is complete, backfitting otherwise. `backfit`
   * forces the iterative weighted least squares (which on a complete matrix gives the closed form).
   */
  method?: 'auto' | 'closed-form' | 'backfit';
  /** Stop when no effect changes by more than `tolerance × (1 + max|z|)` in a sweep (default 1e-13). */
  tolerance?: number;
  /** Maximum backfitting sweeps (default 10,000). */
  maxIterations?: number;
  /** Observed moments, when the caller already has them. */
  moments?: ObservedMoments;
}

/**
 * Least-squares fit of the additive model `μ + a_i + b_j` over the observed entries.
 * With complete data it is closed form: μ = grand mean, a = row means − μ, b = column means − μ.
 * With missing entries it is solved by backfitting (Gauss–Seidel on the normal equations:
 * `a_i ← mean_{j obs}(z_ij − μ − b_j)`, then `b_j ← mean_{i obs}(z_ij − μ − a_i)`), which
 * decreases the observed residual monotonically and converges to the least-squares fit; a complete
 * matrix converges after one sweep. Rows or columns without observations get effect 0.
 * @example
 * const fit = fitAdditive(ForgettingMatrix.fromRows([[0, 0.5, 1, 3], [1, 1.5, 2, 4]]));
 * fit.r2; // 1 (the matrix is exactly row + column)
 */
export function fitAdditive(matrix: ForgettingMatrix, options: FitAdditiveOptions = {}): AdditiveFit {
  const moments = options.moments ?? observedMoments(matrix);
  const method = options.method ?? 'auto';
  if (method === 'closed-form' && !matrix.isComplete) {
    throw new ForgetscopeError('usage', 'the closed-form additive fit needs a complete matrix; use method "backfit"');
  }
  const useClosed = method === 'closed-form' || (method === 'auto' && matrix.isComplete);
  return useClosed ? closedFormAdditive(matrix, moments) : backfitAdditive(matrix, moments, options);
}

function closedFormAdditive(matrix: ForgettingMatrix, moments: ObservedMoments): AdditiveFit {
  const rowMeans = rowMeansOf(matrix).means;
  const colMeans = columnMeansOf(matrix).means;
  const mu = moments.mean;
  const taskEffects = rowMeans.map((x) => x - mu);
  const exampleEffects = colMeans.map((x) => x - mu);
  const sse = additiveResidual(matrix, mu, taskEffects, exampleEffects);
  return {
    mu,
    taskEffects,
    exampleEffects,
    method: 'closed-form',
    iterations: 1,
    converged: true,
    ...fitQuality(sse, moments),
  };
}

function backfitAdditive(matrix: ForgettingMatrix, moments: ObservedMoments, options: FitAdditiveOptions): AdditiveFit {
  const { rows: m, cols: n, values: v, mask } = matrix;
  const tolerance = options.tolerance ?? 1e-13;
  const maxIterations = options.maxIterations ?? 10_000;
  let scale = 0;
  for (let k = 0; k < v.length; k++) if (mask === null || mask[k] === 1) scale = Math.max(scale, Math.abs(v[k]!));
  const threshold = tolerance * (1 + scale);
  const mu = moments.mean;
  const a = new Float64Array(m);
  const b = new Float64Array(n);
  const { rowCounts: rowCount, colCounts: colCount } = observedSums(denseOf(matrix));
  const colAcc = new Float64Array(n);
  let iterations = 0;
  let converged = false;
  // Plain loops over the observed entries: each sweep is one pass over the data with no products
  // a Backend could take over (the masked row/column means are reductions, not Gram or SVD work).
  while (iterations < maxIterations) {
    iterations++;
    let change = 0;
    for (let i = 0; i < m; i++) {
      if (rowCount[i] === 0) continue;
      let s = 0;
      const base = i * n;
      for (let j = 0; j < n; j++) if (mask === null || mask[base + j] === 1) s += v[base + j]! - mu - b[j]!;
      const next = s / rowCount[i]!;
      change = Math.max(change, Math.abs(next - a[i]!));
      a[i] = next;
    }
    colAcc.fill(0);
    for (let i = 0; i < m; i++) {
      const base = i * n;
      const ai = a[i]!;
      for (let j = 0; j < n; j++) if (mask === null || mask[base + j] === 1) colAcc[j]! += v[base + j]! - mu - ai;
    }
    for (let j = 0; j < n; j++) {
      if (colCount[j] === 0) continue;
      const next = colAcc[j]! / colCount[j]!;
      change = Math.max(change, Math.abs(next - b[j]!));
      b[j] = next;
    }
    if (change <= threshold) {
      converged = true;
      break;
    }
  }
  // Identify the model: centre the effects over the rows/columns that have observations.
  const aMean = meanWhere(a, rowCount);
  const bMean = meanWhere(b, colCount);
  for (let i = 0; i < m; i++) if (rowCount[i]! > 0) a[i]! -= aMean;
  for (let j = 0; j < n; j++) if (colCount[j]! > 0) b[j]! -= bMean;
  const muFit = mu + aMean + bMean;
  const sse = additiveResidual(matrix, muFit, a, b);
  return {
    mu: muFit,
    taskEffects: a,
    exampleEffects: b,
    method: 'backfit',
    iterations,
    converged,
    ...fitQuality(sse, moments),
  };
}

function meanWhere(x: Float64Array, count: Float64Array): number {
  let s = 0;
  let c = 0;
  for (let k = 0; k < x.length; k++) {
    if (count[k]! > 0) {
      s += x[k]!;
      c++;
    }
  }
  return c > 0 ? s / c : 0;
}

/** Σ over observed entries of (z − μ − a_i − b_j)². */
export function additiveResidual(matrix: ForgettingMatrix, mu: number, a: Float64Array, b: Float64Array): number {
  const { rows: m, cols: n, values: v, mask } = matrix;
  let sse = 0;
  for (let i = 0; i < m; i++) {
    const base = i * n;
    const level = mu + a[i]!;
    for (let j = 0; j < n; j++) {
      if (mask !== null && mask[base + j] === 0) continue;
      const r = v[base + j]! - level - b[j]!;
      sse += r * r;
    }
  }
  return sse;
}

/** Means over observed entries, with the number of observations behind each (NaN where none). */
export interface MeansWithCounts {
  means: Float64Array;
  counts: Int32Array;
}

/**
 * Per-row (task) means over observed entries.
 * @example
 * rowMeansOf(ForgettingMatrix.fromRows([[1, 3], [2, 2]])).means; // Float64Array [2, 2]
 */
export function rowMeansOf(matrix: ForgettingMatrix): MeansWithCounts {
  const { rowSums, rowCounts } = observedSums(denseOf(matrix));
  return meansOf(rowSums, rowCounts);
}

/**
 * Per-column (example) means over observed entries.
 * @example
 * columnMeansOf(ForgettingMatrix.fromRows([[1, 3], [2, 2]])).means; // Float64Array [1.5, 2.5]
 */
export function columnMeansOf(matrix: ForgettingMatrix): MeansWithCounts {
  const { colSums, colCounts } = observedSums(denseOf(matrix));
  return meansOf(colSums, colCounts);
}

/** Sums / counts, NaN where the count is 0. */
function meansOf(sums: Float64Array, counts: Float64Array): MeansWithCounts {
  const means = new Float64Array(sums.length);
  for (let k = 0; k < sums.length; k++) means[k] = counts[k]! > 0 ? sums[k]! / counts[k]! : NaN;
  return { means, counts: Int32Array.from(counts) };
}

/** The matrix as the row-major masked block `observedSums` reads. */
export function denseOf(matrix: ForgettingMatrix): ObservedBlock {
  return { rows: matrix.rows, cols: matrix.cols, data: matrix.values, mask: matrix.mask };
}

/** A one-way model (row-only or column-only means) and its fit. */
export interface OneWayFit extends FitQuality {
  /** The fitted level of each row (row-only) or column (column-only); NaN where nothing is observed. */
  means: Float64Array;
}

/**
 * Row-only model `Z[i][j] ≈ r_i` (each task's mean forgetting), least squares over observed entries.
 * @example
 * fitRowMeans(ForgettingMatrix.fromRows([[1, 3], [2, 2]])).means; // Float64Array [2, 2]
 */
export function fitRowMeans(matrix: ForgettingMatrix, moments: ObservedMoments = observedMoments(matrix)): OneWayFit {
  const { means } = rowMeansOf(matrix);
  const { cols: n, values: v, mask } = matrix;
  let sse = 0;
  for (let k = 0; k < v.length; k++) {
    if (mask !== null && mask[k] === 0) continue;
    const r = v[k]! - means[Math.floor(k / n)]!;
    sse += r * r;
  }
  return { means, ...fitQuality(sse, moments) };
}

/**
 * Column-only model `Z[i][j] ≈ c_j` (each example's mean forgetting), least squares over observed entries.
 * @example
 * fitColumnMeans(ForgettingMatrix.fromRows([[1, 3], [2, 2]])).means; // Float64Array [1.5, 2.5]
 */
export function fitColumnMeans(
  matrix: ForgettingMatrix,
  moments: ObservedMoments = observedMoments(matrix),
): OneWayFit {
  const { means } = columnMeansOf(matrix);
  const { rows: m, cols: n, values: v, mask } = matrix;
  let sse = 0;
  for (let i = 0; i < m; i++) {
    const base = i * n;
    for (let j = 0; j < n; j++) {
      if (mask !== null && mask[base + j] === 0) continue;
      const r = v[base + j]! - means[j]!;
      sse += r * r;
    }
  }
  return { means, ...fitQuality(sse, moments) };
}
