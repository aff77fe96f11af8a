import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import { ForgetscopeError } from '../util/errors.js';
import { itemAt } from '../util/checked.js';

/**
 * Sums over the observed entries of a matrix that every goodness-of-fit figure needs: the count,
 * the sum, the uncentred sum of squares `Σ z²` and the total sum of squares about the grand mean
 * `Σ (z − mean)²` (the denominator of the structure fits' R²).
 */
export interface ObservedMoments {
  /** Number of observed entries. */
  count: number;
  /** Σ z over observed entries. */
  sum: number;
  /** Grand mean of the observed entries. */
  mean: number;
  /** Σ z² over observed entries (the squared Frobenius norm when complete). */
  sumOfSquares: number;
  /** Σ (z − mean)² over observed entries. */
  totalSumOfSquares: number;
}

/**
 * Computes `ObservedMoments` in float64, two passes (mean first) so the centred sum does not lose
 * digits to cancellation.
 * @example
 * observedMoments(ForgettingMatrix.fromRows([[1, 2], [3, 4]])); // {count: 4, mean: 2.5, totalSumOfSquares: 5, …}
 */
export function observedMoments(matrix: ForgettingMatrix): ObservedMoments {
  const v = matrix.values;
  const mask = matrix.mask;
  let count = 0;
  let sum = 0;
  let sumOfSquares = 0;
  for (let k = 0; k < v.length; k++) {
    if (mask !== null && mask[k] === 0) continue;
    const x = itemAt(v, k);
    count++;
    sum += x;
    sumOfSquares += x * x;
  }
  if (count === 0) throw new ForgetscopeError('empty', 'the matrix has no observed entries');
  const mean = sum / count;
  let totalSumOfSquares = 0;
  for (let k = 0; k < v.length; k++) {
    if (mask !== null && mask[k] === 0) continue;
    const d = itemAt(v, k) - mean;
    totalSumOfSquares += d * d;
  }
  return { count, sum, mean, sumOfSquares, totalSumOfSquares };
}

/** R² and RMSE of one model over the observed entries. */
export interface FitQuality {
  /** `1 − SSE / Σ (z − mean)²`: the structure fits' R² (denominator centred on the grand mean). NaN when Z is constant. */
  r2: number;
  /** `sqrt(SSE / count)`. */
  rmse: number;
  /** Residual sum of squares over the observed entries. */
  sse: number;
}

/**
 * Turns a residual sum of squares into R² and RMSE (`R² = 1 − mean((Z − Ẑ)²) / mean((Z −
 * mean(Z))²)`; both means run over the same observed entries, so the counts cancel).
 * @example
 * fitQuality(1, { count: 4, totalSumOfSquares: 5 } as ObservedMoments); // {r2: 0.8, rmse: 0.5, sse: 1}
 */
export function fitQuality(sse: number, moments: Pick<ObservedMoments, 'count' | 'totalSumOfSquares'>): FitQuality {
  const clamped = Math.max(0, sse);
  const r2 = moments.totalSumOfSquares > 0 ? 1 - clamped / moments.totalSumOfSquares : NaN;
  return { r2, rmse: Math.sqrt(clamped / moments.count), sse: clamped };
}
