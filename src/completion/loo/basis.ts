// Numeric kernel: indexed reads carry `!` where the index is < length by the loop bounds (the arrays
// are sized from the same counts: rows, columns, components, side columns) or by the shapes checked on entry.
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import type { Backend, Dense } from '../../linalg/types.js';
import { ForgetscopeError } from '../../util/errors.js';
import { symmetricEigen } from '../../linalg/eigen.js';
import { columnFormsOn } from '../../linalg/columnFormsOn.js';

/**
 * How `lowrank` centres the train block before its SVD:
 * - `uncentered`: Z ≈ U·S·Vᵀ, a new row is V·w;
 * - `column`: column means as offset, SVD of Z − 1·cᵀ, a new row is c + V·w;
 * - `additive`: additive model plus low-rank residual, SVD of the doubly centred Z, a new row is
 *   c + a + V·w with a free intercept a (k = 0 is exactly `additive-ls`).
 */
export type LowrankVariant = 'additive' | 'column' | 'uncentered';

/** All centring variants, in the order ties are broken (first wins). */
export const LOWRANK_VARIANTS: readonly LowrankVariant[] = ['additive', 'column', 'uncentered'];

/** Relative eigenvalue threshold below which a component is treated as zero (rank deficiency). */
export const EIGEN_TOLERANCE = 1e-12;

/** The train block's statistics every variant and every leave-one-out fold derives from. */
export interface TrainStats {
  m: number;
  n: number;
  /** The train values as a backend matrix (missing entries already filled). */
  z: Dense;
  /** Z·Zᵀ, m×m. */
  gram: Float64Array;
  rowMeans: Float64Array;
  colMeans: Float64Array;
  grand: number;
}

/** The thin SVD of one centring of a set of train rows (only components with non-zero singular value). */
export interface VariantBasis {
  variant: LowrankVariant;
  /** Rows used (m'), number of components r. */
  rows: number;
  r: number;
  /** Singular values, descending, length r. */
  s: Float64Array;
  /** Left singular vectors, rows×r row-major. */
  u: Float64Array;
  /** Total energy ‖R‖²_F of the centred block (Σ of all squared singular values). */
  energy: number;
}

/** A full-train basis with the right singular vectors and per-column residual energies. */
export interface FullBasis extends VariantBasis {
  /**
   * Right singular vectors, column-major: component c is v[c·n … (c+1)·n) (so a rank-k prediction
   * streams k contiguous vectors). Float32 when the train block is float32 (computed in float64, then
   * rounded to the data's own precision: the O(k·N) prediction pass is bound by reading V, and half
   * the bytes make it ~1.6× faster at N = 10⁶), else float64.
   */
  v: Float64Array | Float32Array;
  /** Offset added to every prediction (zeros or the train column means), length n. */
  offset: Float64Array;
  /** Σ_i R[i][j]² per column j (for per-column noise of prediction intervals). */
  colEnergy: Float64Array;
}

/**
 * Reads the train block once: Gram matrix through the backend, row/column/grand means. Missing train
 * entries are filled with the additive fit μ + a_i + b_j over the observed entries (one pass of
 * means), which the closed-form methods need a complete block for.
 */
export async function trainStats(train: ForgettingMatrix, backend: Backend): Promise<TrainStats> {
  const m = train.rows;
  const n = train.cols;
  if (m < 2) throw new ForgetscopeError('input', `lowrank needs at least 2 train rows, got ${m}`);
  const values = train.isComplete ? train.values : fillAdditive(train);
  const z: Dense = { rows: m, cols: n, data: values };
  const gram = await backend.gram(z);
  const ones = new Float64Array(n).fill(1 / n);
  const rowMeans = await backend.gemv(z, ones);
  // Σ_i z_ij/M in row order, as the backend's Aᵀx would add it, in one streaming pass
  const colMeans = (
    await columnFormsOn(backend, {
      z: values,
      rows: m,
      cols: n,
      g: new Float64Array(m).fill(1 / m),
      h: new Float64Array(0),
      t0: new Float64Array(0),
    })
  ).lin;
  let grand = 0;
  for (let i = 0; i < m; i++) grand += rowMeans[i]!;
  grand /= m;
  return { m, n, z, gram, rowMeans, colMeans, grand };
}

function fillAdditive(train: ForgettingMatrix): Float64Array {
  const m = train.rows;
  const n = train.cols;
  const out = Float64Array.from(train.values);
  const rowSum = new Float64Array(m);
  const rowCount = new Float64Array(m);
  const colSum = new Float64Array(n);
  const colCount = new Float64Array(n);
  let total = 0;
  let count = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      if (!train.isObserved(i, j)) continue;
      const x = out[i * n + j]!;
      rowSum[i]! += x;
      rowCount[i]!++;
      colSum[j]! += x;
      colCount[j]!++;
      total += x;
      count++;
    }
  }
  if (count === 0) throw new ForgetscopeError('input', 'the train rows have no observed entry');
  const mu = total / count;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      if (train.isObserved(i, j)) continue;
      const a = rowCount[i]! > 0 ? rowSum[i]! / rowCount[i]! - mu : 0;
      const b = colCount[j]! > 0 ? colSum[j]! / colCount[j]! - mu : 0;
      out[i * n + j] = mu + a + b;
    }
  }
  return out;
}

/**
 * The Gram matrix R·Rᵀ of a centring of the rows `rows` of the train block, from the full Gram:
 * `column`: C·G·C; `additive`: C·(G − n·r·rᵀ)·C, with C the centring matrix and r the row means.
 */
export function variantGram(stats: TrainStats, rows: Int32Array, variant: LowrankVariant): Float64Array {
  const p = rows.length;
  const g = new Float64Array(p * p);
  const { gram, m, n, rowMeans } = stats;
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      let x = gram[rows[a]! * m + rows[b]!]!;
      if (variant === 'additive') x -= n * rowMeans[rows[a]!]! * rowMeans[rows[b]!]!;
      g[a * p + b] = x;
    }
  }
  if (variant === 'uncentered') return g;
  const rowAvg = new Float64Array(p);
  let all = 0;
  for (let a = 0; a < p; a++) {
    let s = 0;
    for (let b = 0; b < p; b++) s += g[a * p + b]!;
    rowAvg[a] = s / p;
    all += s;
  }
  all /= p * p;
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) g[a * p + b] = g[a * p + b]! - rowAvg[a]! - rowAvg[b]! + all;
  return g;
}

/** The thin SVD (singular values and left vectors) of a centring of the given rows, from the Gram. */
export function variantBasis(
  stats: TrainStats,
  rows: Int32Array,
  variant: LowrankVariant,
  maxRank: number,
): VariantBasis {
  const p = rows.length;
  const g = variantGram(stats, rows, variant);
  let energy = 0;
  for (let a = 0; a < p; a++) energy += g[a * p + a]!;
  const eig = symmetricEigen(g, p);
  const top = eig.values[0] ?? 0;
  let r = 0;
  const limit = Math.min(maxRank, variant === 'uncentered' ? p : p - 1);
  while (r < limit && eig.values[r]! > EIGEN_TOLERANCE * top && eig.values[r]! > 0) r++;
  const s = new Float64Array(r);
  const u = new Float64Array(p * r);
  for (let c = 0; c < r; c++) {
    s[c] = Math.sqrt(eig.values[c]!);
    for (let a = 0; a < p; a++) u[a * r + c] = eig.vectors[a * p + c]!;
  }
  return { variant, rows: p, r, s, u, energy };
}

/**
 * Full-train bases for the requested variants: the small eigenproblems, then every right singular
 * vector block V = Rᵀ·U·S⁻¹ in one backend gemm Zᵀ·[U₁|U₂|…] plus the rank-one centring corrections.
 * (Going through the Gram rather than `topSVD` lets the three centrings and all leave-one-out folds
 * share one pass over the data.)
 */
export async function fullBases(
  stats: TrainStats,
  variants: readonly LowrankVariant[],
  maxRank: number,
  backend: Backend,
): Promise<Map<LowrankVariant, FullBasis>> {
  const { m, n, z, colMeans, rowMeans, grand } = stats;
  const all = Int32Array.from({ length: m }, (_, i) => i);
  const small = variants.map((v) => variantBasis(stats, all, v, maxRank));
  const width = small.reduce((acc, b) => acc + b.r, 0);
  const stacked = new Float64Array(m * Math.max(width, 1));
  let col0 = 0;
  for (const b of small) {
    for (let i = 0; i < m; i++) for (let c = 0; c < b.r; c++) stacked[i * width + col0 + c] = b.u[i * b.r + c]!;
    col0 += b.r;
  }
  const ztu =
    width > 0 ? await backend.gemm(z, { rows: m, cols: width, data: stacked }, { transA: true }) : new Float64Array(0);
  // Column energies: Σ z², Σ z·(r − g) per column.
  const sumSq = new Float64Array(n);
  const zd = z.data;
  for (let i = 0; i < m; i++) {
    const base = i * n;
    for (let j = 0; j < n; j++) {
      const x = zd[base + j]!;
      sumSq[j]! += x * x;
    }
  }
  const rowDev = new Float64Array(m);
  let rowDevSq = 0;
  for (let i = 0; i < m; i++) {
    rowDev[i] = rowMeans[i]! - grand;
    rowDevSq += rowDev[i]! * rowDev[i]!;
  }
  const needsRowDev = variants.includes('additive');
  const zRowDev = needsRowDev ? await backend.gemv(z, rowDev, true) : null;
  const out = new Map<LowrankVariant, FullBasis>();
  col0 = 0;
  for (const b of small) {
    const r = b.r;
    // 1ᵀU and rowDevᵀU (zero in exact arithmetic for centred variants; kept for exactness).
    const oneU = new Float64Array(r);
    const devU = new Float64Array(r);
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < r; c++) {
        oneU[c]! += b.u[i * r + c]!;
        devU[c]! += rowDev[i]! * b.u[i * r + c]!;
      }
    }
    const v = zd instanceof Float32Array ? new Float32Array(n * r) : new Float64Array(n * r);
    for (let j = 0; j < n; j++) {
      for (let c = 0; c < r; c++) {
        let x = ztu[j * width + col0 + c]!;
        if (b.variant !== 'uncentered') x -= colMeans[j]! * oneU[c]!;
        if (b.variant === 'additive') x -= devU[c]!;
        v[c * n + j] = x / b.s[c]!;
      }
    }
    const offset = b.variant === 'uncentered' ? new Float64Array(n) : Float64Array.from(colMeans);
    const colEnergy = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let e = sumSq[j]!;
      if (b.variant !== 'uncentered') e -= m * colMeans[j]! * colMeans[j]!;
      if (b.variant === 'additive') e += -2 * zRowDev![j]! + rowDevSq;
      colEnergy[j] = Math.max(e, 0);
    }
    out.set(b.variant, { ...b, v, offset, colEnergy });
    col0 += r;
  }
  return out;
}

/**
 * A new task's V_K (|K|×r row-major, r = min(k, basis.r)) and c_K = y_K − offset_K at its measured
 * columns, from a full-train basis: the inputs of its ridge on the first k components.
 */
export function taskKnown(
  basis: FullBasis,
  n: number,
  columns: Int32Array,
  values: Float64Array,
  k: number,
): { vk: Float64Array; cK: Float64Array; r: number } {
  const r = Math.min(k, basis.r);
  const kk = columns.length;
  const vk = new Float64Array(kk * r);
  const cK = new Float64Array(kk);
  for (let t = 0; t < kk; t++) {
    const j = columns[t]!;
    cK[t] = values[t]! - basis.offset[j]!;
    for (let c = 0; c < r; c++) vk[t * r + c] = basis.v[c * n + j]!;
  }
  return { vk, cK, r };
}

/**
 * prediction[j] += Σ_{c<k} v[c·n + j]·w[c] (V column-major as in `FullBasis`), adding the components
 * in order c = 0, 1, …, k − 1 exactly as k separate axpy passes would (so the result is the same to
 * the bit), but eight (then four) components per pass: the prediction is read and written once per
 * eight components instead of once per component, which is what bounds the pass at large N.
 * With `offset`, the prediction is first set to offset[j] + constant (fused into the first pass).
 */
export function addComponents(
  prediction: Float64Array,
  v: Float64Array | Float32Array,
  n: number,
  w: Float64Array,
  k: number,
  offset?: Float64Array,
  constant = 0,
): void {
  let c = 0;
  if (offset) {
    if (k >= 8) {
      const w0 = w[0]!,
        w1 = w[1]!,
        w2 = w[2]!,
        w3 = w[3]!;
      const w4 = w[4]!,
        w5 = w[5]!,
        w6 = w[6]!,
        w7 = w[7]!;
      for (let j = 0; j < n; j++) {
        prediction[j] =
          offset[j]! +
          constant +
          v[j]! * w0 +
          v[j + n]! * w1 +
          v[j + 2 * n]! * w2 +
          v[j + 3 * n]! * w3 +
          v[j + 4 * n]! * w4 +
          v[j + 5 * n]! * w5 +
          v[j + 6 * n]! * w6 +
          v[j + 7 * n]! * w7;
      }
      c = 8;
    } else {
      for (let j = 0; j < n; j++) prediction[j] = offset[j]! + constant;
    }
  }
  for (; c + 8 <= k; c += 8) {
    const w0 = w[c]!,
      w1 = w[c + 1]!,
      w2 = w[c + 2]!,
      w3 = w[c + 3]!;
    const w4 = w[c + 4]!,
      w5 = w[c + 5]!,
      w6 = w[c + 6]!,
      w7 = w[c + 7]!;
    const b = c * n;
    for (let j = 0; j < n; j++) {
      const o = b + j;
      prediction[j] =
        prediction[j]! +
        v[o]! * w0 +
        v[o + n]! * w1 +
        v[o + 2 * n]! * w2 +
        v[o + 3 * n]! * w3 +
        v[o + 4 * n]! * w4 +
        v[o + 5 * n]! * w5 +
        v[o + 6 * n]! * w6 +
        v[o + 7 * n]! * w7;
    }
  }
  for (; c + 4 <= k; c += 4) {
    const w0 = w[c]!,
      w1 = w[c + 1]!,
      w2 = w[c + 2]!,
      w3 = w[c + 3]!;
    const b = c * n;
    for (let j = 0; j < n; j++) {
      const o = b + j;
      prediction[j] = prediction[j]! + v[o]! * w0 + v[o + n]! * w1 + v[o + 2 * n]! * w2 + v[o + 3 * n]! * w3;
    }
  }
  for (; c < k; c++) {
    const wc = w[c]!;
    const b = c * n;
    for (let j = 0; j < n; j++) prediction[j]! += v[b + j]! * wc;
  }
}
