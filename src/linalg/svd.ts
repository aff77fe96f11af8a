// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import { ForgetscopeError } from '../util/errors.js';
import { symmetricEigen } from './eigen.js';
import { SeededNormal } from './random.js';
import type { Backend, Dense, SVDResult, TopSVDOptions } from './types.js';

/**
 * The top-k singular triplets of A computed with any backend's `gram`/`gemm` (so cpu and webgpu
 * share one algorithm; the small dense eigenproblems run on the host in float64).
 *
 * - `gram`: eigen-decomposition of the smaller Gram matrix (A·Aᵀ when M ≤ N), then the other side
 *   as Aᵀ·U/σ. Used by default when min(M, N) ≤ (2q + 2)·(k + p), where it is also the cheaper one.
 * - `randomized`: Halko–Martinsson–Tropp (2011) range finder with `oversample` p extra columns and
 *   `powerIterations` q, re-orthonormalising after every product, then an exact SVD of the small
 *   projected matrix. Seeded (`seed`, default 0).
 *
 * Signs are normalised so the largest-magnitude entry of each right singular vector is positive.
 *
 * @example const { s } = await topSVDWith(createCpuBackend(), a, 10);
 */
export async function topSVDWith(
  backend: Backend,
  a: Dense,
  k: number,
  options: TopSVDOptions = {},
): Promise<SVDResult> {
  if (!Number.isInteger(k) || k < 1)
    throw new ForgetscopeError('usage', `topSVD: k must be a positive integer, got ${k}`);
  const m = a.rows;
  const n = a.cols;
  const kk = Math.min(k, m, n);
  if (kk === 0)
    return { s: new Float64Array(0), u: new Float64Array(0), v: new Float64Array(0), k: 0, rows: m, cols: n };
  const p = options.oversample ?? 10;
  const q = options.powerIterations ?? 4;
  const method = options.method ?? (Math.min(m, n) <= (2 * q + 2) * (kk + p) ? 'gram' : 'randomized');
  const wide = m <= n;
  // Work on the wide orientation; a tall matrix is transposed once (its small side is then the rows).
  const w: Dense = wide ? a : transpose(a);
  const r =
    method === 'gram' ? await gramSVD(backend, w, kk) : await randomizedSVD(backend, w, kk, p, q, options.seed ?? 0);
  const out: SVDResult = wide ? { ...r, rows: m, cols: n } : { s: r.s, u: r.v, v: r.u, k: kk, rows: m, cols: n };
  normaliseSigns(out);
  return out;
}

/** Wide A (M ≤ N): eig(A·Aᵀ) → U, σ; V = Aᵀ·U/σ. */
async function gramSVD(backend: Backend, a: Dense, k: number): Promise<SVDResult> {
  const m = a.rows;
  const g = await backend.gram(a);
  const eig = symmetricEigen(g, m);
  const s = new Float64Array(k);
  const ut = new Float64Array(k * m); // Uᵀ, k×M
  const u = new Float64Array(m * k);
  for (let t = 0; t < k; t++) {
    s[t] = Math.sqrt(Math.max(eig.values[t]!, 0));
    for (let i = 0; i < m; i++) {
      const val = eig.vectors[i * m + t]!;
      ut[t * m + i] = val;
      u[i * k + t] = val;
    }
  }
  const v = await rightVectors(backend, a, ut, s, k);
  return { s, u, v, k, rows: a.rows, cols: a.cols };
}

/** V (N×k) = (Uᵀ·A)ᵀ / σ, with zero columns where σ = 0. */
async function rightVectors(
  backend: Backend,
  a: Dense,
  ut: Float64Array,
  s: Float64Array,
  k: number,
): Promise<Float64Array> {
  const n = a.cols;
  const vt = await backend.gemm({ rows: k, cols: a.rows, data: ut }, a); // k×N
  const v = new Float64Array(n * k);
  for (let t = 0; t < k; t++) {
    const inv = s[t]! > 0 ? 1 / s[t]! : 0;
    for (let c = 0; c < n; c++) v[c * k + t] = vt[t * n + c]! * inv;
  }
  return v;
}

/** Wide A: randomized range finder on the row space of size l = k + p, then the exact small SVD. */
async function randomizedSVD(
  backend: Backend,
  a: Dense,
  k: number,
  p: number,
  q: number,
  seed: number,
): Promise<SVDResult> {
  const m = a.rows;
  const n = a.cols;
  const l = Math.min(k + p, m);
  const rng = new SeededNormal(seed);
  const omegaT = new Float64Array(l * n);
  for (let t = 0; t < omegaT.length; t++) omegaT[t] = rng.normal();
  // Qᵀ (l×M) spans the range of A·Ω.
  let qt = await backend.gemm({ rows: l, cols: n, data: omegaT }, a, { transB: true });
  orthonormaliseRows(qt, l, m);
  for (let it = 0; it < q; it++) {
    const zt = await backend.gemm({ rows: l, cols: m, data: qt }, a); // l×N = (Aᵀ Q)ᵀ
    orthonormaliseRows(zt, l, n);
    qt = await backend.gemm({ rows: l, cols: n, data: zt }, a, { transB: true }); // l×M
    orthonormaliseRows(qt, l, m);
  }
  const bt = await backend.gemm({ rows: l, cols: m, data: qt }, a); // B = QᵀA, l×N
  const gb = await backend.gram({ rows: l, cols: n, data: bt });
  const eig = symmetricEigen(gb, l);
  const s = new Float64Array(k);
  const u = new Float64Array(m * k);
  const v = new Float64Array(n * k);
  for (let t = 0; t < k; t++) {
    const sigma = Math.sqrt(Math.max(eig.values[t]!, 0));
    s[t] = sigma;
    for (let r = 0; r < l; r++) {
      const w = eig.vectors[r * l + t]!;
      for (let i = 0; i < m; i++) u[i * k + t]! += qt[r * m + i]! * w;
    }
    const inv = sigma > 0 ? 1 / sigma : 0;
    for (let r = 0; r < l; r++) {
      const w = eig.vectors[r * l + t]! * inv;
      if (w === 0) continue;
      const off = r * n;
      for (let c = 0; c < n; c++) v[c * k + t]! += bt[off + c]! * w;
    }
  }
  return { s, u, v, k, rows: m, cols: n };
}

/**
 * Orthonormalises the rows of an r×c row-major array in place (modified Gram–Schmidt, applied
 * twice for numerical orthogonality); rows that become numerically zero are set to zero.
 */
export function orthonormaliseRows(x: Float64Array, r: number, c: number): void {
  const norms0 = new Float64Array(r);
  for (let i = 0; i < r; i++) norms0[i] = Math.sqrt(dot(x, i * c, x, i * c, c));
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < r; i++) {
      const oi = i * c;
      for (let j = 0; j < i; j++) {
        const oj = j * c;
        const d = dot(x, oi, x, oj, c);
        if (d !== 0) for (let t = 0; t < c; t++) x[oi + t]! -= d * x[oj + t]!;
      }
      const nrm = Math.sqrt(dot(x, oi, x, oi, c));
      if (nrm <= 1e-13 * Math.max(norms0[i]!, Number.MIN_VALUE) || nrm === 0) {
        x.fill(0, oi, oi + c);
      } else {
        const inv = 1 / nrm;
        for (let t = 0; t < c; t++) x[oi + t]! *= inv;
      }
    }
  }
}

function dot(x: Float64Array, ox: number, y: Float64Array, oy: number, c: number): number {
  let s = 0;
  for (let t = 0; t < c; t++) s += x[ox + t]! * y[oy + t]!;
  return s;
}

function transpose(a: Dense): Dense {
  const out = new Float64Array(a.rows * a.cols);
  for (let jb = 0; jb < a.cols; jb += 64) {
    const je = Math.min(a.cols, jb + 64);
    for (let i = 0; i < a.rows; i++) for (let j = jb; j < je; j++) out[j * a.rows + i] = a.data[i * a.cols + j]!;
  }
  return { rows: a.cols, cols: a.rows, data: out };
}

/** Flips each triplet so the largest-magnitude entry of v's column is positive. */
function normaliseSigns(r: SVDResult): void {
  const { k, rows, cols } = r;
  for (let t = 0; t < k; t++) {
    let big = 0;
    for (let c = 0; c < cols; c++) {
      const val = r.v[c * k + t]!;
      if (Math.abs(val) > Math.abs(big)) big = val;
    }
    if (big < 0) {
      for (let c = 0; c < cols; c++) r.v[c * k + t] = -r.v[c * k + t]!;
      for (let i = 0; i < rows; i++) r.u[i * k + t] = -r.u[i * k + t]!;
    }
  }
}
