/** The rank-1…K truncated fits of a forgetting matrix (complete: SVD; with missing entries: ALS). */
import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import type { Backend, BackendName } from '../linalg/types.js';
import { ForgetscopeError } from '../util/errors.js';
import type { ProgressSink } from '../util/progress.js';
import { alsLowRank, type AlsLowRankOptions } from './alsLowRank.js';
import { defaultAnalysisBackend } from './defaultBackend.js';
import { fitQuality, observedMoments, type ObservedMoments } from './goodnessOfFit.js';
import { orthogonaliseFactors } from './orthogonaliseFactors.js';
import { signNormalise } from './signNormalise.js';
import { itemAt } from '../util/checked.js';

/** Ranks fitted when none are asked for (capped at min(M, N)). */
export const DEFAULT_STRUCTURE_RANKS = 5;

/** Options of `fitTruncatedRanks`. */
export interface FitLowRankOptions extends AlsLowRankOptions {
  /** Fit ranks 1..K (default min(5, M, N)); must not exceed min(M, N). */
  ranks?: number;
  /** Numerical backend for the SVD and the large products (default: the portable cpu backend). */
  backend?: Backend;
  /**
   * `auto` (default): truncated SVD when complete, ALS over observed entries otherwise. `als`
   * forces ALS (on a complete matrix it converges to the SVD answer).
   */
  method?: 'auto' | 'svd' | 'als';
  /**
   * How the Backend computes the truncated SVD of a complete matrix (`topSVD`'s `method`): by default
   * the Gram matrix + eigensolver when min(M, N) is small, randomized (Halko–Martinsson–Tropp, seeded)
   * otherwise. Pass `gram` to force the exact route for large M.
   */
  svdMethod?: 'gram' | 'randomized';
  /** Progress per fitted rank. */
  progress?: ProgressSink;
  /** Observed moments, when the caller already has them. */
  moments?: ObservedMoments;
}

/** Truncated fits of ranks 1..K and the spectrum. */
export interface LowRankFit {
  /** K, the largest rank fitted. */
  k: number;
  /** R²_k for k = 1..K (uncentred truncation; the denominator is centred on the grand mean). */
  r2: Float64Array;
  /** RMSE of the rank-k fit over observed entries, k = 1..K. */
  rmse: Float64Array;
  /** Residual sum of squares of the rank-k fit, k = 1..K. */
  sse: Float64Array;
  /** Top-K singular values (of Z when complete; of the rank-K fit over observed entries otherwise). */
  singularValues: Float64Array;
  /** Explained energy per component, s_c² / Σ z² (uncentred; observed entries when masked). */
  energy: Float64Array;
  /** Task factors: left singular vectors, M×K row-major, unit-norm columns. */
  taskFactors: Float64Array;
  /** Example factors: right singular vectors, N×K row-major, unit-norm columns, largest-magnitude entry positive. */
  exampleFactors: Float64Array;
  /** `svd` (complete matrix) or `als` (observed entries only). */
  method: 'svd' | 'als';
  /** Backend that ran the products. */
  backend: BackendName;
  /**
   * The rank-1 (multiplicative) fit `Z ≈ task[i]·example[j]`: `example` is unit-norm with its
   * largest-magnitude entry positive, `task` carries the scale. With a complete matrix this is
   * the first SVD component; with missing entries it is the rank-1 fit over observed entries.
   */
  rankOne: { task: Float64Array; example: Float64Array };
  /** ALS sweeps per rank (empty for `svd`). */
  iterations: Int32Array;
  /** Whether every ALS fit met its tolerance (true for `svd`). */
  converged: boolean;
}

/**
 * Rank-1..K fits of Z. A complete matrix gets one truncated uncentred SVD through the
 * Backend; then `SSE_k = ‖Z‖² − Σ_{c ≤ k} s_c²` (Eckart–Young), `R²_k = 1 − SSE_k / Σ(z − mean)²`.
 * A partially observed matrix gets, for each k, the least-squares rank-k fit over the observed
 * entries (`alsLowRank`), with R² over the observed entries; singular values and factors then come
 * from the rank-K fit. Factors are sign-normalised (largest-magnitude example-factor entry positive).
 * @example
 * const fit = await fitTruncatedRanks(ForgettingMatrix.fromRows([[0.1, 0.2, 0, 0.4], [0.2, 0.4, 0, 0.8], [0.3, 0.6, 0, 1.2]]), { ranks: 2 });
 * fit.r2; // Float64Array [1, 1]: the matrix is rank 1
 */
export async function fitTruncatedRanks(
  matrix: ForgettingMatrix,
  options: FitLowRankOptions = {},
): Promise<LowRankFit> {
  const { rows: m, cols: n } = matrix;
  const maxRank = Math.min(m, n);
  const k = options.ranks ?? Math.min(DEFAULT_STRUCTURE_RANKS, maxRank);
  if (!Number.isInteger(k) || k < 1)
    throw new ForgetscopeError('usage', `--ranks must be a positive integer, got ${k}`);
  if (k > maxRank) {
    throw new ForgetscopeError(
      'usage',
      `--ranks ${k} exceeds min(tasks, examples) = ${maxRank} of this ${m}×${n} matrix`,
    );
  }
  const backend = options.backend ?? defaultAnalysisBackend();
  const moments = options.moments ?? observedMoments(matrix);
  const method = options.method ?? 'auto';
  if (method === 'svd' && !matrix.isComplete) {
    throw new ForgetscopeError('usage', 'the SVD fit needs a complete matrix; use method "als" for missing entries');
  }
  const run: FitRun = { matrix, k, moments, backend, progress: options.progress ?? (() => {}) };
  if (method === 'svd' || (method === 'auto' && matrix.isComplete)) return fitBySvd(run, options);
  return fitByAls(run, options);
}

/** What both fits read: the matrix, the largest rank, its moments, the backend and the progress sink. */
interface FitRun {
  matrix: ForgettingMatrix;
  k: number;
  moments: ObservedMoments;
  backend: Backend;
  progress: ProgressSink;
}

/** A complete matrix: one truncated SVD through the backend; SSE_k by Eckart–Young. */
async function fitBySvd(
  { matrix, k, moments, backend, progress }: FitRun,
  options: FitLowRankOptions,
): Promise<LowRankFit> {
  const { rows: m, cols: n } = matrix;
  progress(0, 1, 'truncated SVD');
  const svd = await backend.topSVD({ rows: m, cols: n, data: matrix.values }, k, {
    ...(options.svdMethod ? { method: options.svdMethod } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
  progress(1, 1, 'truncated SVD');
  const u = Float64Array.from(svd.u);
  const v = Float64Array.from(svd.v);
  signNormalise(u, v, svd.k);
  const sse = new Float64Array(k);
  let captured = 0;
  for (let c = 0; c < k; c++) {
    captured += itemAt(svd.s, c) * itemAt(svd.s, c);
    sse[c] = moments.sumOfSquares - captured;
  }
  const rankOne = rankOneFrom(u, v, itemAt(svd.s, 0), k, m, n);
  return assemble(k, sse, moments, {
    s: svd.s,
    u,
    v,
    rankOne,
    method: 'svd',
    backend: backend.name,
    iterations: new Int32Array(0),
    converged: true,
  });
}

/** Missing entries: the least-squares rank-r fit over the observed entries for each r, factors from the rank-k one. */
async function fitByAls(
  { matrix, k, moments, backend, progress }: FitRun,
  options: FitLowRankOptions,
): Promise<LowRankFit> {
  const { rows: m, cols: n } = matrix;
  const sse = new Float64Array(k);
  const iterations = new Int32Array(k);
  let converged = true;
  let last: { u: Float64Array; v: Float64Array } | null = null;
  let rankOne: LowRankFit['rankOne'] | null = null;
  for (let r = 1; r <= k; r++) {
    progress(r - 1, k, `ALS rank ${r}`);
    const fit = await alsLowRank({ rows: m, cols: n, data: matrix.values, mask: matrix.mask }, r, backend, options);
    sse[r - 1] = fit.sse;
    iterations[r - 1] = fit.iterations;
    converged &&= fit.converged;
    if (r === 1) {
      const one = await orthogonaliseFactors(fit.u, fit.v, m, n, 1, backend);
      rankOne = rankOneFrom(one.u, one.v, itemAt(one.s, 0), 1, m, n);
    }
    if (r === k) last = fit;
  }
  progress(k, k, `ALS rank ${k}`);
  if (last === null || rankOne === null) throw new ForgetscopeError('internal', `ALS ran for no rank (k = ${k})`);
  const factors = await orthogonaliseFactors(last.u, last.v, m, n, k, backend);
  return assemble(k, sse, moments, {
    s: factors.s,
    u: factors.u,
    v: factors.v,
    rankOne,
    method: 'als',
    backend: backend.name,
    iterations,
    converged,
  });
}

function rankOneFrom(
  u: Float64Array,
  v: Float64Array,
  s1: number,
  k: number,
  m: number,
  n: number,
): LowRankFit['rankOne'] {
  const task = new Float64Array(m);
  const example = new Float64Array(n);
  for (let i = 0; i < m; i++) task[i] = s1 * itemAt(u, i * k);
  for (let j = 0; j < n; j++) example[j] = itemAt(v, j * k);
  return { task, example };
}

/** The factors and run facts of a fit, as `assemble` passes them through (`s` the singular values, at least k). */
type FitFactors = Pick<LowRankFit, 'rankOne' | 'method' | 'backend' | 'iterations' | 'converged'> & {
  s: Float64Array;
  u: Float64Array;
  v: Float64Array;
};

/** The `LowRankFit` of ranks 1…k from their SSEs (R², RMSE, clamped SSE, energy) and the fit's factors. */
function assemble(k: number, sse: Float64Array, moments: ObservedMoments, factors: FitFactors): LowRankFit {
  const { s, u, v, rankOne, method, backend, iterations, converged } = factors;
  const r2 = new Float64Array(k);
  const rmse = new Float64Array(k);
  const clampedSse = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const q = fitQuality(itemAt(sse, c), moments);
    r2[c] = q.r2;
    rmse[c] = q.rmse;
    clampedSse[c] = q.sse;
  }
  const energy = Float64Array.from(s.subarray(0, k), (x) =>
    moments.sumOfSquares > 0 ? (x * x) / moments.sumOfSquares : NaN,
  );
  return {
    k,
    r2,
    rmse,
    sse: clampedSse,
    singularValues: Float64Array.from(s.subarray(0, k)),
    energy,
    taskFactors: u,
    exampleFactors: v,
    rankOne,
    method,
    backend,
    iterations,
    converged,
  };
}

/** @deprecated The earlier name of `fitTruncatedRanks`, too close to completion's `fitLowrankCompletion`; kept for callers. */
export const fitLowRank = fitTruncatedRanks;
