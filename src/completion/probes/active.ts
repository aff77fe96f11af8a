import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { defaultBackend } from '../../linalg/defaultBackend.js';
import type { Backend } from '../../linalg/types.js';
import { ForgetscopeError } from '../../util/errors.js';
import { fullBases, prepareFolds, trainStats, type FullBasis } from '../loo/index.js';
import { itemAt } from '../../util/checked.js';

/** How `selectActiveProbes` ranks examples. */
export type ProbeMethod = 'variance' | 'leverage';

/** Options of `selectActiveProbes`. */
export interface ActiveProbeOptions {
  /** Accepted for symmetry with the random samplers; the selection is deterministic and ignores it. */
  seed?: number;
  /** `variance` (default): greedy Bayesian A-optimal design; `leverage`: top prior-weighted leverage scores. */
  method?: ProbeMethod;
  backend?: Backend;
  /** Components of the train rows' additive + low-rank model used (default min(M − 2, 40)). */
  maxRank?: number;
  /** Held-out train rows used to estimate the out-of-sample noise (default 60). */
  maxFolds?: number;
}

/**
 * Chooses which k examples (columns) to measure for a new task, from the train rows alone.
 *
 * Model (the same as `lowrank`'s `additive` centring): a new row is c + a + Σ_c w_c·v_c + ε, with
 * c the train column means, v_c the right singular vectors of the doubly centred train block, prior
 * a ~ N(0, var of the train row effects), w_c ~ N(0, s_c²/M), and ε ~ N(0, σ²) where σ² is the
 * per-entry variance of held-out train rows that the other rows' subspace cannot explain
 * (leave-one-task-out). `variance` greedily adds the column whose measurement most reduces the total
 * posterior predictive variance over all N columns (Bayesian A-optimal design, rank-one updates,
 * O(N·r) per pick); `leverage` takes the k largest prior predictive variances. Deterministic (ties go
 * to the lower index). Returns the chosen columns in ascending order.
 *
 * @example
 * const probes = await selectActiveProbes(train, 30);
 * // measure the new task on exactly these examples, then complete it with lowrank
 */
export async function selectActiveProbes(
  train: ForgettingMatrix,
  k: number,
  options: ActiveProbeOptions = {},
): Promise<Int32Array> {
  const n = train.cols;
  if (!Number.isInteger(k) || k < 1 || k > n)
    throw new ForgetscopeError('usage', `active probes: k must be an integer in 1..${n}, got ${k}`);
  if (train.rows < 3)
    throw new ForgetscopeError('input', `active probes need at least 3 train rows, got ${train.rows}`);
  const backend = options.backend ?? defaultBackend();
  const maxRank = Math.max(0, Math.min(options.maxRank ?? 40, train.rows - 2));
  const stats = await trainStats(train, backend);
  const basis = additiveOf(await fullBases(stats, ['additive'], maxRank, backend), 'full basis');
  const noise = outOfSampleNoise(stats, maxRank, options.maxFolds ?? 60);
  let rowVar = 0;
  for (let i = 0; i < stats.m; i++) rowVar += (itemAt(stats.rowMeans, i) - stats.grand) ** 2;
  rowVar = Math.max(rowVar / Math.max(stats.m - 1, 1), noise * 1e-6, 1e-300);
  const prior = new Float64Array(basis.r + 1);
  prior[0] = rowVar;
  for (let c = 0; c < basis.r; c++) prior[c + 1] = (itemAt(basis.s, c) * itemAt(basis.s, c)) / stats.m;
  const picked =
    (options.method ?? 'variance') === 'leverage'
      ? topLeverage(basis, prior, k)
      : greedyVariance(basis, prior, noise, k);
  return Int32Array.from(picked).sort();
}

/** The doubly centred (`additive`) entry of a per-centring map, which the probes always form. */
function additiveOf<T>(byVariant: ReadonlyMap<string, T>, what: string): T {
  const x = byVariant.get('additive');
  if (x === undefined) throw new ForgetscopeError('internal', `active probes: no additive ${what}`);
  return x;
}

/**
 * Per-entry variance of a held-out train row left after projecting it (with an intercept) on the
 * other rows' full doubly centred row space, averaged over leave-one-out folds.
 */
export function outOfSampleNoise(stats: Parameters<typeof prepareFolds>[0], maxRank: number, maxFolds: number): number {
  const folds = prepareFolds(stats, ['additive'], maxRank, maxFolds);
  let sum = 0;
  for (const fold of folds) {
    const fv = additiveOf(fold.variants, 'fold');
    let e = fv.cc - (fv.sc * fv.sc) / stats.n;
    for (let c = 0; c < fv.t.length; c++) e -= itemAt(fv.t, c) * itemAt(fv.t, c);
    sum += Math.max(e, 0) / stats.n;
  }
  return Math.max(sum / Math.max(folds.length, 1), 1e-300);
}

function designRow(basis: FullBasis, j: number, out: Float64Array): void {
  out[0] = 1;
  const n = basis.offset.length;
  for (let c = 0; c < basis.r; c++) out[c + 1] = itemAt(basis.v, c * n + j);
}

function topLeverage(basis: FullBasis, prior: Float64Array, k: number): number[] {
  const n = basis.offset.length;
  const score = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let d = itemAt(prior, 0);
    for (let c = 0; c < basis.r; c++) d += itemAt(prior, c + 1) * itemAt(basis.v, c * n + j) ** 2;
    score[j] = d;
  }
  const order = Array.from({ length: score.length }, (_, j) => j).sort(
    (a, b) => itemAt(score, b) - itemAt(score, a) || a - b,
  );
  return order.slice(0, k);
}

/**
 * Greedy A-optimal design. With P the posterior covariance of the coefficients (prior diag), X the
 * N×(r+1) design and G = XᵀX, observing column j reduces the summed predictive variance by
 * x_jᵀ·P·G·P·x_j / (x_jᵀ·P·x_j + σ²). Both quadratic forms are kept for every column and updated by
 * the rank-one change of P after each pick, so a pick costs O(N·r) instead of O(N·r²).
 */
function greedyVariance(basis: FullBasis, prior: Float64Array, noise: number, k: number): number[] {
  const n = basis.offset.length;
  const p = basis.r + 1;
  // G = XᵀX, computed rather than assumed diagonal.
  const g = new Float64Array(p * p);
  const x = new Float64Array(p);
  for (let j = 0; j < n; j++) {
    designRow(basis, j, x);
    for (let a = 0; a < p; a++)
      for (let b = 0; b < p; b++) g[a * p + b] = itemAt(g, a * p + b) + itemAt(x, a) * itemAt(x, b);
  }
  const pm = new Float64Array(p * p);
  for (let a = 0; a < p; a++) pm[a * p + a] = itemAt(prior, a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const aMat = new Float64Array(p * p);
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++) aMat[a * p + b] = itemAt(prior, a) * itemAt(g, a * p + b) * itemAt(prior, b);
  for (let j = 0; j < n; j++) {
    designRow(basis, j, x);
    let dj = 0;
    let ej = 0;
    for (let a = 0; a < p; a++) {
      dj += itemAt(prior, a) * itemAt(x, a) * itemAt(x, a);
      let s = 0;
      for (let b = 0; b < p; b++) s += itemAt(aMat, a * p + b) * itemAt(x, b);
      ej += itemAt(x, a) * s;
    }
    d[j] = dj;
    e[j] = ej;
  }
  const taken = new Uint8Array(n);
  const picked: number[] = [];
  const pv = new Float64Array(p);
  const qv = new Float64Array(p);
  const gp = new Float64Array(p);
  for (let step = 0; step < k; step++) {
    let best = -1;
    let bestScore = -Infinity;
    for (let j = 0; j < n; j++) {
      if (taken[j]) continue;
      const sc = itemAt(e, j) / (itemAt(d, j) + noise);
      if (sc > bestScore) {
        bestScore = sc;
        best = j;
      }
    }
    if (best < 0) break;
    taken[best] = 1;
    picked.push(best);
    designRow(basis, best, x);
    for (let a = 0; a < p; a++) {
      let s = 0;
      for (let b = 0; b < p; b++) s += itemAt(pm, a * p + b) * itemAt(x, b);
      pv[a] = s;
    }
    let dd = noise;
    for (let a = 0; a < p; a++) dd += itemAt(x, a) * itemAt(pv, a);
    for (let a = 0; a < p; a++) {
      let s = 0;
      for (let b = 0; b < p; b++) s += itemAt(g, a * p + b) * itemAt(pv, b);
      gp[a] = s;
    }
    let pgp = 0;
    for (let a = 0; a < p; a++) pgp += itemAt(pv, a) * itemAt(gp, a);
    for (let a = 0; a < p; a++) {
      let s = 0;
      for (let b = 0; b < p; b++) s += itemAt(pm, a * p + b) * itemAt(gp, b);
      qv[a] = s;
    }
    for (let j = 0; j < n; j++) {
      if (taken[j]) continue;
      designRow(basis, j, x);
      let xp = 0;
      let xq = 0;
      for (let a = 0; a < p; a++) {
        xp += itemAt(x, a) * itemAt(pv, a);
        xq += itemAt(x, a) * itemAt(qv, a);
      }
      d[j] = itemAt(d, j) - (xp * xp) / dd;
      e[j] = itemAt(e, j) - (2 * xq * xp) / dd + (xp * xp * pgp) / (dd * dd);
    }
    for (let a = 0; a < p; a++)
      for (let b = 0; b < p; b++) pm[a * p + b] = itemAt(pm, a * p + b) - (itemAt(pv, a) * itemAt(pv, b)) / dd;
  }
  return picked;
}
