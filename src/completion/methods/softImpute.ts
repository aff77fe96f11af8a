/**
 * `soft-impute` for one new row (Mazumder, Hastie & Tibshirani 2010).
 * Numeric kernel: indexed reads carry `!` where the index is < length by the loop bounds (or by the
 * shapes checked on entry).
 */
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { defaultBackend } from '../../linalg/defaultBackend.js';
import { symmetricEigen } from '../../linalg/eigen.js';
import type { Backend, Dense } from '../../linalg/types.js';
import { ForgetscopeError } from '../../util/errors.js';
import type { CompletionMethod, FitOptions, FittedCompletion, KnownEntries, RowPrediction } from '../types.js';
import { checkKnownEntries } from '../known.js';
import { foldRows, trainStats } from '../loo/index.js';

/**
 * `soft-impute` (Mazumder, Hastie & Tibshirani 2010) for one new row: the train rows (column-centred)
 * stacked with the new row, whose unmeasured entries are filled in and repeatedly replaced by the
 * matching entries of the singular-value soft-thresholded matrix, S_λ(X) = U·max(s − λ, 0)·Vᵀ, until
 * they stop moving. Train rows are fully observed (missing train entries are filled by the additive fit
 * first, as in `lowrank`), so only the new row changes; each iteration is two passes over the train
 * block (Z·y and the reconstruction) and an (M+1)×(M+1) eigenproblem. λ is chosen from a grid of
 * fractions of the centred train block's top singular value by leave-one-task-out on the train rows
 * measured at the new task's columns (cached per column set), with warm starts from large to small λ.
 */

/** Options of `soft-impute`. */
export interface SoftImputeOptions extends FitOptions {
  /** λ as fractions of the top singular value of the centred train rows (default `SOFT_IMPUTE_LAMBDAS`). */
  lambdas?: readonly number[];
  /** Fixed λ fraction: skips the leave-one-task-out search. */
  lambda?: number;
  /** Iteration cap per fit (default 100). */
  maxIter?: number;
  /** Relative change of the filled entries below which the iteration stops (default 1e-5). */
  tol?: number;
  /** Held-out train rows used by the search (default 12, evenly spread). */
  maxFolds?: number;
}

/** Default λ grid, as fractions of the top singular value (descending: warm starts go down the path). */
export const SOFT_IMPUTE_LAMBDAS: readonly number[] = [0.3, 0.1, 0.05, 0.025, 0.0125];

/** A fitted `soft-impute` model: `predictRow` plus the λ fraction it picks for a set of measured columns. */
export interface FittedSoftImpute extends FittedCompletion {
  /** The λ fraction chosen for a set of measured columns and its leave-one-task-out RMSE (NaN when λ was given). */
  decide(columns: Int32Array): Promise<{ lambda: number; looRmse: number }>;
}

/**
 * @example
 * const fitted = await softImpute.fit(train);
 * const { prediction } = await fitted.predictRow({ columns, values });
 */
export const softImpute: CompletionMethod<SoftImputeOptions> = { name: 'soft-impute', fit: fitSoftImpute };

/** One soft-impute problem: centred train rows R (rows of the train block minus `offset`) and their Gram R·Rᵀ. */
export interface SoftImputeBlock {
  p: number;
  n: number;
  /** Row indices into the train block. */
  rows: Int32Array;
  /** Column offsets removed (the column means of these rows). */
  offset: Float64Array;
  /** R·Rᵀ (p×p). */
  gram: Float64Array;
  /** Top singular value of R. */
  top: number;
}

/**
 * Soft-impute of one row given a centred block: `target` holds the row minus the block's offset at the
 * measured columns; returns the completed (centred) row. `start` (centred, length n) warm-starts the
 * unmeasured entries (default 0, i.e. the column means).
 */
export async function softImputeRow(
  z: Dense,
  block: SoftImputeBlock,
  columns: Int32Array,
  target: Float64Array,
  lambda: number,
  backend: Backend,
  options: { maxIter?: number; tol?: number; start?: Float64Array } = {},
): Promise<Float64Array> {
  const { p, n, rows, offset, gram } = block;
  const maxIter = options.maxIter ?? 100;
  const tol = options.tol ?? 1e-5;
  const y = options.start ? Float64Array.from(options.start) : new Float64Array(n);
  const measured = new Uint8Array(n);
  for (let t = 0; t < columns.length; t++) {
    measured[columns[t]!] = 1;
    y[columns[t]!] = target[t]!;
  }
  const q = p + 1;
  // weights over the block's rows expressed on the whole train block (zero outside the block)
  const wz = new Float64Array(z.rows);
  let offsetDot = 0;
  for (let iter = 0; iter < maxIter; iter++) {
    // g_a = R_a · y = z_a · y − offset · y
    const zy = await backend.gemv(z, y);
    offsetDot = 0;
    for (let j = 0; j < n; j++) offsetDot += offset[j]! * y[j]!;
    let yy = 0;
    for (let j = 0; j < n; j++) yy += y[j]! * y[j]!;
    const g = new Float64Array(q * q);
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < p; b++) g[a * q + b] = gram[a * p + b]!;
      const ga = zy[rows[a]!]! - offsetDot;
      g[a * q + p] = ga;
      g[p * q + a] = ga;
    }
    g[p * q + p] = yy;
    const eig = symmetricEigen(g, q);
    // last row of Q·diag(max(s − λ, 0)/s)·Qᵀ
    const w = new Float64Array(q);
    for (let c = 0; c < q; c++) {
      const ev = eig.values[c]!;
      if (!(ev > 0)) continue;
      const s = Math.sqrt(ev);
      const d = Math.max(s - lambda, 0) / s;
      if (d === 0) continue;
      const qc = eig.vectors[p * q + c]! * d;
      for (let a = 0; a < q; a++) w[a]! += qc * eig.vectors[a * q + c]!;
    }
    // ŷ = Σ_a w_a·R_a + w_p·y = Zᵀ·wz − (Σ w_a)·offset + w_p·y
    wz.fill(0);
    let wsum = 0;
    for (let a = 0; a < p; a++) {
      wz[rows[a]!] = w[a]!;
      wsum += w[a]!;
    }
    const recon = await backend.gemv(z, wz, true);
    let change = 0;
    let size = 0;
    for (let j = 0; j < n; j++) {
      if (measured[j]) continue;
      const v = recon[j]! - wsum * offset[j]! + w[p]! * y[j]!;
      change += (v - y[j]!) * (v - y[j]!);
      size += v * v;
      y[j] = v;
    }
    if (change <= tol * tol * Math.max(size, 1e-300)) break;
  }
  return y;
}

/** `softImpute.fit` with its richer return type. */
export async function fitSoftImpute(
  train: ForgettingMatrix,
  options: SoftImputeOptions = {},
): Promise<FittedSoftImpute> {
  const backend = options.backend ?? defaultBackend();
  const stats = await trainStats(train, backend);
  const { m, n, z } = stats;
  const lambdas = [...(options.lambdas ?? SOFT_IMPUTE_LAMBDAS)].sort((a, b) => b - a);
  if (lambdas.length === 0 || lambdas.some((l) => !(l >= 0)))
    throw new ForgetscopeError('usage', 'soft-impute: λ fractions must be non-negative');
  if (options.lambda !== undefined && !(options.lambda >= 0))
    throw new ForgetscopeError('usage', 'soft-impute: λ must be non-negative');
  const solveOptions = {
    ...(options.maxIter ? { maxIter: options.maxIter } : {}),
    ...(options.tol ? { tol: options.tol } : {}),
  };
  const zc = await backend.gemv(z, stats.colMeans); // z_a · colMeans
  let cmcm = 0;
  for (let j = 0; j < n; j++) cmcm += stats.colMeans[j]! * stats.colMeans[j]!;

  /** The centred block of the train rows without row `skip` (−1: all rows), from the one Gram. */
  function blockWithout(skip: number): SoftImputeBlock {
    const rows = Int32Array.from({ length: skip >= 0 ? m - 1 : m }, (_, a) => (skip >= 0 && a >= skip ? a + 1 : a));
    const p = rows.length;
    const offset = new Float64Array(n);
    // fold column means (M·mean − z_h)/(M − 1) and their inner products from the Gram
    const zo = new Float64Array(m);
    let oo = cmcm;
    if (skip >= 0) {
      const zd = z.data;
      for (let j = 0; j < n; j++) offset[j] = (m * stats.colMeans[j]! - zd[skip * n + j]!) / p;
      for (let a = 0; a < m; a++) zo[a] = (m * zc[a]! - stats.gram[a * m + skip]!) / p;
      oo = (m * m * cmcm - 2 * m * zc[skip]! + stats.gram[skip * m + skip]!) / (p * p);
    } else {
      offset.set(stats.colMeans);
      zo.set(zc);
    }
    const gram = new Float64Array(p * p);
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < p; b++)
        gram[a * p + b] = stats.gram[rows[a]! * m + rows[b]!]! - zo[rows[a]!]! - zo[rows[b]!]! + oo;
    }
    const eig = symmetricEigen(gram, p);
    return { p, n, rows, offset, gram, top: Math.sqrt(Math.max(eig.values[0] ?? 0, 0)) };
  }

  const fullBlock = blockWithout(-1);
  const folds =
    options.lambda === undefined
      ? Array.from(foldRows(m, options.maxFolds ?? 12), (h) => ({ h, block: blockWithout(h) }))
      : [];
  const cache = new Map<string, { lambda: number; looRmse: number }>();

  async function choose(columns: Int32Array): Promise<{ lambda: number; looRmse: number }> {
    if (options.lambda !== undefined) return { lambda: options.lambda, looRmse: NaN };
    const key = Array.from(columns).join(',');
    const hit = cache.get(key);
    if (hit) return hit;
    const sse = new Float64Array(lambdas.length);
    const measured = new Uint8Array(n);
    for (const c of columns) measured[c] = 1;
    let cells = 0;
    for (const { h, block } of folds) {
      const truth = z.data.subarray(h * n, (h + 1) * n);
      const target = Float64Array.from(columns, (c) => truth[c]! - block.offset[c]!);
      let start: Float64Array | undefined;
      for (let li = 0; li < lambdas.length; li++) {
        const y = await softImputeRow(z, block, columns, target, lambdas[li]! * block.top, backend, {
          ...solveOptions,
          ...(start ? { start } : {}),
        });
        start = y;
        let e = 0;
        for (let j = 0; j < n; j++) {
          if (measured[j]) continue;
          const d = truth[j]! - block.offset[j]! - y[j]!;
          e += d * d;
        }
        sse[li]! += e;
      }
      cells += n - columns.length;
    }
    let best = 0;
    for (let li = 1; li < lambdas.length; li++) if (sse[li]! < sse[best]! * (1 - 1e-12)) best = li;
    const decision = { lambda: lambdas[best]!, looRmse: Math.sqrt(sse[best]! / Math.max(cells, 1)) };
    if (cache.size > 256) cache.delete(cache.keys().next().value!);
    cache.set(key, decision);
    return decision;
  }

  async function predictRow(known: KnownEntries): Promise<RowPrediction> {
    checkKnownEntries(known, n);
    const { lambda } = await choose(known.columns);
    const target = Float64Array.from(known.columns, (c, t) => known.values[t]! - fullBlock.offset[c]!);
    // warm start down the λ path to the chosen value, as in the search
    let start: Float64Array | undefined;
    for (const l of lambdas.filter((x) => x > lambda)) {
      start = await softImputeRow(z, fullBlock, known.columns, target, l * fullBlock.top, backend, {
        ...solveOptions,
        ...(start ? { start } : {}),
      });
    }
    const y = await softImputeRow(z, fullBlock, known.columns, target, lambda * fullBlock.top, backend, {
      ...solveOptions,
      ...(start ? { start } : {}),
    });
    const prediction = new Float64Array(n);
    for (let j = 0; j < n; j++) prediction[j] = y[j]! + fullBlock.offset[j]!;
    return { prediction };
  }

  return { predictRow, decide: choose };
}
