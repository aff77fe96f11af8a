/**
 * Rank-k alternating least squares over the observed entries of a masked matrix.
 * Numeric kernel: indexed reads carry `!` where the index is < length by the loop bounds (or by the
 * shapes checked on entry).
 */
import type { Backend } from '../linalg/types.js';
import { ForgetscopeError } from '../util/errors.js';
import { seededGaussian } from '../linalg/random.js';
import { ridgeSolveInPlace } from '../linalg/smallDense.js';
import { observedSums } from './observedSums.js';

/** A matrix with an optional explicit observed mask (1 = observed), row-major. */
export interface MaskedDense {
  rows: number;
  cols: number;
  /** Row-major values; entries where the mask is 0 are ignored (may be NaN). */
  data: Float64Array | Float32Array;
  /** Row-major mask, or null when every entry is observed. */
  mask: Uint8Array | null;
}

/** Options of `alsLowRank`. */
export interface AlsLowRankOptions {
  /** Starting point: `svd` (default) = top-k SVD of the matrix with missing entries filled by the two-way means; `random` = seeded Gaussian example factors. */
  init?: 'svd' | 'random';
  /** Seed of the `random` start (default 0). */
  seed?: number;
  /** Maximum sweeps (default 2,000). */
  maxIterations?: number;
  /** Stop when a sweep lowers the observed SSE by less than `tolerance × Σ(z − mean)²` (default 1e-13). */
  tolerance?: number;
  /** Relative ridge added to each k×k normal matrix (default 1e-12 × its mean diagonal). */
  ridge?: number;
}

/** A rank-k fit `Z ≈ U·Vᵀ` over the observed entries (factors not orthogonalised). */
export interface AlsLowRankResult {
  k: number;
  /** rows×k, row-major. */
  u: Float64Array;
  /** cols×k, row-major. */
  v: Float64Array;
  /** Observed residual sum of squares of the final factors. */
  sse: number;
  iterations: number;
  converged: boolean;
}

/**
 * Rank-k least squares over the observed entries only, `min Σ_obs (z_ij − u_i·v_j)²`, by
 * alternating least squares: each sweep solves every row's k×k normal equations given V, then
 * every column's given U. With a complete matrix (mask null) the two half-steps are
 * `U = Z·V·(VᵀV)⁻¹` and `V = Zᵀ·U·(UᵀU)⁻¹`, whose products run on the Backend; ALS then is
 * subspace iteration and converges to the truncated SVD (the Eckart–Young optimum). With a mask,
 * the per-row/per-column normal matrices differ, so they are accumulated here in plain loops
 * (O(observed·k²) per sweep; the Backend has no masked weighted normal-equation primitive).
 * @example
 * const fit = await alsLowRank({ rows: 2, cols: 2, data: Float64Array.of(1, 2, 2, 4), mask: null }, 1, backend);
 * fit.sse; // ≈ 0 (the matrix is rank 1)
 */
export async function alsLowRank(
  a: MaskedDense,
  k: number,
  backend: Backend,
  options: AlsLowRankOptions = {},
): Promise<AlsLowRankResult> {
  const { rows: m, cols: n, data, mask } = a;
  if (!Number.isInteger(k) || k < 1) throw new ForgetscopeError('usage', `rank must be a positive integer, got ${k}`);
  const maxIterations = options.maxIterations ?? 2000;
  const tolerance = options.tolerance ?? 1e-13;
  const ridgeRel = options.ridge ?? 1e-12;
  const { mean, sumSq, sst } = momentsOf(data, mask);
  let u: Float64Array = new Float64Array(m * k);
  let v: Float64Array = new Float64Array(n * k);
  if ((options.init ?? 'svd') === 'svd') {
    const filled = fillTwoWay(a, mean);
    const svd = await backend.topSVD({ rows: m, cols: n, data: filled }, Math.min(k, m, n));
    for (let j = 0; j < n; j++) for (let c = 0; c < svd.k; c++) v[j * k + c] = svd.v[j * svd.k + c]!;
    // Components beyond min(M, N) start at small seeded noise so the normal matrices stay regular.
    if (svd.k < k) fillRandom(v, k, svd.k, options.seed ?? 0, 1e-3);
  } else {
    fillRandom(v, k, 0, options.seed ?? 0, 1);
  }
  let previous = Infinity;
  let sse = Infinity;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    if (mask === null) {
      u = (await completeHalfStep(a, v, k, backend, false, ridgeRel)).factor;
      const step = await completeHalfStep(a, u, k, backend, true, ridgeRel);
      v = step.factor;
      // SSE = ‖Z‖² − 2·tr(Vᵀ·Zᵀ·U) + tr(UᵀU·VᵀV), from products already at hand.
      let cross = 0;
      for (let t = 0; t < n * k; t++) cross += v[t]! * step.product[t]!;
      const gv = await backend.gemm({ rows: n, cols: k, data: v }, { rows: n, cols: k, data: v }, { transA: true });
      let quad = 0;
      for (let t = 0; t < k * k; t++) quad += step.gram[t]! * gv[t]!;
      sse = Math.max(0, sumSq - 2 * cross + quad);
    } else {
      maskedRowStep(a, mask, v, u, k, ridgeRel);
      maskedColumnStep(a, mask, u, v, k, ridgeRel);
      sse = maskedResidual(a, mask, u, v, k);
    }
    if (previous - sse <= tolerance * sst) {
      converged = true;
      break;
    }
    previous = sse;
  }
  return { k, u, v, sse, iterations, converged };
}

function momentsOf(
  data: Float64Array | Float32Array,
  mask: Uint8Array | null,
): { mean: number; sumSq: number; sst: number } {
  let c = 0;
  let s = 0;
  let q = 0;
  for (let t = 0; t < data.length; t++) {
    if (mask !== null && mask[t] === 0) continue;
    c++;
    s += data[t]!;
    q += data[t]! * data[t]!;
  }
  if (c === 0) throw new ForgetscopeError('empty', 'the matrix has no observed entries');
  const mean = s / c;
  let sst = 0;
  for (let t = 0; t < data.length; t++) {
    if (mask !== null && mask[t] === 0) continue;
    sst += (data[t]! - mean) ** 2;
  }
  return { mean, sumSq: q, sst: sst > 0 ? sst : 1 };
}

function fillRandom(v: Float64Array, k: number, fromComponent: number, seed: number, scale: number): void {
  const draw = seededGaussian(seed);
  const n = v.length / k;
  for (let j = 0; j < n; j++) for (let c = fromComponent; c < k; c++) v[j * k + c] = scale * draw();
}

/** Values with missing entries filled by row mean + column mean − grand mean (observed means). */
function fillTwoWay(a: MaskedDense, mean: number): Float64Array {
  const { rows: m, cols: n, data, mask } = a;
  const out = Float64Array.from(data);
  if (mask === null) return out;
  const { rowSums: rs, rowCounts: rc, colSums: cs, colCounts: cc } = observedSums(a);
  for (let i = 0; i < m; i++) {
    const ri = rc[i]! > 0 ? rs[i]! / rc[i]! - mean : 0;
    for (let j = 0; j < n; j++) {
      if (mask[i * n + j] === 1) continue;
      const cj = cc[j]! > 0 ? cs[j]! / cc[j]! - mean : 0;
      out[i * n + j] = mean + ri + cj;
    }
  }
  return out;
}

/**
 * Complete-matrix half step: `factor = Z·other·(otherᵀ·other + ridge)⁻¹`, or with Zᵀ when
 * `transposed`; also returns the product Z·other (or Zᵀ·other) and the Gram otherᵀ·other.
 */
async function completeHalfStep(
  a: MaskedDense,
  other: Float64Array,
  k: number,
  backend: Backend,
  transposed: boolean,
  ridgeRel: number,
): Promise<{ factor: Float64Array; product: Float64Array; gram: Float64Array }> {
  const otherRows = transposed ? a.rows : a.cols;
  const outRows = transposed ? a.cols : a.rows;
  const o = { rows: otherRows, cols: k, data: other };
  const gram = await backend.gemm(o, o, { transA: true });
  const product = await backend.gemm({ rows: a.rows, cols: a.cols, data: a.data }, o, { transA: transposed });
  // Solve factor · G = product, i.e. G · factorᵀ = productᵀ (G symmetric), as one k×k inverse.
  const inv = new Float64Array(k * k);
  for (let c = 0; c < k; c++) {
    const g = Float64Array.from(gram);
    const e = new Float64Array(k);
    e[c] = 1;
    ridgeSolveInPlace(g, e, k, ridgeFor(gram, k, ridgeRel));
    for (let r = 0; r < k; r++) inv[r * k + c] = e[r]!;
  }
  const factor = await backend.gemm({ rows: outRows, cols: k, data: product }, { rows: k, cols: k, data: inv });
  return { factor, product, gram };
}

function ridgeFor(g: Float64Array, k: number, rel: number): number {
  let tr = 0;
  for (let d = 0; d < k; d++) tr += g[d * k + d]!;
  return rel * (tr / k) + 1e-300;
}

/** For every row i: u_i = argmin Σ_{j obs} (z_ij − u·v_j)², from the k×k normal equations. */
function maskedRowStep(
  a: MaskedDense,
  mask: Uint8Array,
  v: Float64Array,
  u: Float64Array,
  k: number,
  ridgeRel: number,
): void {
  const { rows: m, cols: n, data } = a;
  const g = new Float64Array(k * k);
  const b = new Float64Array(k);
  for (let i = 0; i < m; i++) {
    g.fill(0);
    b.fill(0);
    const base = i * n;
    for (let j = 0; j < n; j++) {
      if (mask[base + j] === 0) continue;
      const z = data[base + j]!;
      const vo = j * k;
      for (let r = 0; r < k; r++) {
        const vr = v[vo + r]!;
        b[r]! += z * vr;
        for (let c = 0; c <= r; c++) g[r * k + c]! += vr * v[vo + c]!;
      }
    }
    symmetrizeLower(g, k);
    ridgeSolveInPlace(g, b, k, ridgeFor(g, k, ridgeRel));
    u.set(b, i * k);
  }
}

/** For every column j: v_j = argmin Σ_{i obs} (z_ij − u_i·v)², accumulating all columns in one pass over the rows. */
function maskedColumnStep(
  a: MaskedDense,
  mask: Uint8Array,
  u: Float64Array,
  v: Float64Array,
  k: number,
  ridgeRel: number,
): void {
  const { rows: m, cols: n, data } = a;
  const kk = k * k;
  const g = new Float64Array(n * kk);
  const b = new Float64Array(n * k);
  for (let i = 0; i < m; i++) {
    const base = i * n;
    const uo = i * k;
    for (let j = 0; j < n; j++) {
      if (mask[base + j] === 0) continue;
      const z = data[base + j]!;
      const go = j * kk;
      const bo = j * k;
      for (let r = 0; r < k; r++) {
        const ur = u[uo + r]!;
        b[bo + r]! += z * ur;
        for (let c = 0; c <= r; c++) g[go + r * k + c]! += ur * u[uo + c]!;
      }
    }
  }
  for (let j = 0; j < n; j++) {
    const gj = g.subarray(j * kk, (j + 1) * kk);
    const bj = b.subarray(j * k, (j + 1) * k);
    symmetrizeLower(gj, k);
    ridgeSolveInPlace(gj, bj, k, ridgeFor(gj, k, ridgeRel));
    v.set(bj, j * k);
  }
}

function symmetrizeLower(g: Float64Array, k: number): void {
  for (let r = 0; r < k; r++) for (let c = r + 1; c < k; c++) g[r * k + c] = g[c * k + r]!;
}

/** Σ over observed entries of (z_ij − u_i·v_j)². */
export function maskedResidual(
  a: MaskedDense,
  mask: Uint8Array | null,
  u: Float64Array,
  v: Float64Array,
  k: number,
): number {
  const { rows: m, cols: n, data } = a;
  let sse = 0;
  for (let i = 0; i < m; i++) {
    const base = i * n;
    const uo = i * k;
    for (let j = 0; j < n; j++) {
      if (mask !== null && mask[base + j] === 0) continue;
      let p = 0;
      const vo = j * k;
      for (let c = 0; c < k; c++) p += u[uo + c]! * v[vo + c]!;
      const r = data[base + j]! - p;
      sse += r * r;
    }
  }
  return sse;
}
