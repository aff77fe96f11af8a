// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { ForgetscopeError } from '../util/errors.js';
import type { Backend, BackendDescription, Dense, GemmOptions, MaskedGram, SVDResult, TopSVDOptions } from './types.js';

/**
 * A deliberately plain float64 backend: triple loops and ml-matrix's eigensolver. It is the
 * yardstick the `cpu` and `webgpu` backends are tested against, and a correct (slow) fallback.
 */
export function createReferenceBackend(): Backend {
  let products = 0;
  return {
    name: 'reference',
    get description(): BackendDescription {
      return { name: 'reference', kernel: 'js', products: { js: products } };
    },
    async gram(a) {
      products++;
      return referenceGram(a);
    },
    async gemm(a, b, options) {
      products++;
      return referenceGemm(a, b, options);
    },
    async gemv(a, x, trans = false) {
      products++;
      const out = new Float64Array(trans ? a.cols : a.rows);
      for (let i = 0; i < a.rows; i++) {
        for (let j = 0; j < a.cols; j++) {
          const v = a.data[i * a.cols + j]!;
          if (trans) out[j]! += v * x[i]!;
          else out[i]! += v * x[j]!;
        }
      }
      return out;
    },
    async maskedGram(a, mask) {
      products++;
      return referenceMaskedGram(a, mask);
    },
    async topSVD(a, k, options) {
      return referenceTopSVD(a, k, options);
    },
    async dispose() {},
  };
}

/** A·Aᵀ by the definition, float64. */
export function referenceGram(a: Dense): Float64Array {
  const m = a.rows;
  const n = a.cols;
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += a.data[i * n + c]! * a.data[j * n + c]!;
      out[i * m + j] = s;
      out[j * m + i] = s;
    }
  }
  return out;
}

/** op(A)·op(B) by the definition, float64. */
export function referenceGemm(a: Dense, b: Dense, options: GemmOptions = {}): Float64Array {
  const ar = options.transA ? a.cols : a.rows;
  const ak = options.transA ? a.rows : a.cols;
  const bk = options.transB ? b.cols : b.rows;
  const bc = options.transB ? b.rows : b.cols;
  if (ak !== bk) throw new ForgetscopeError('shape', `gemm: inner dimensions differ (${ak} vs ${bk})`);
  const A = (i: number, k: number) => (options.transA ? a.data[k * a.cols + i]! : a.data[i * a.cols + k]!);
  const B = (k: number, j: number) => (options.transB ? b.data[j * b.cols + k]! : b.data[k * b.cols + j]!);
  const out = new Float64Array(ar * bc);
  for (let i = 0; i < ar; i++) {
    for (let j = 0; j < bc; j++) {
      let s = 0;
      for (let k = 0; k < ak; k++) s += A(i, k) * B(k, j);
      out[i * bc + j] = s;
    }
  }
  return out;
}

/** Masked pairwise sums by the definition. */
export function referenceMaskedGram(a: Dense, mask: Uint8Array | null): MaskedGram {
  const m = a.rows;
  const n = a.cols;
  const count = new Float64Array(m * m);
  const cross = new Float64Array(m * m);
  const sq = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let c = 0;
      let x = 0;
      let q = 0;
      for (let col = 0; col < n; col++) {
        const mi = mask ? mask[i * n + col]! : 1;
        const mj = mask ? mask[j * n + col]! : 1;
        if (mi && mj) {
          const ai = a.data[i * n + col]!;
          c += 1;
          x += ai * a.data[j * n + col]!;
          q += ai * ai;
        }
      }
      count[i * m + j] = c;
      cross[i * m + j] = x;
      sq[i * m + j] = q;
    }
  }
  return { size: m, count, cross, sq };
}

/**
 * Thin SVD through the eigen-decomposition of the smaller Gram matrix (ml-matrix's symmetric
 * solver), float64. Singular vectors are sign-normalised so the largest-magnitude entry of each right
 * singular vector is positive.
 */
export function referenceTopSVD(a: Dense, k: number, _options?: TopSVDOptions): SVDResult {
  const m = a.rows;
  const n = a.cols;
  const kk = Math.min(k, m, n);
  const wide = m <= n;
  const g = wide ? referenceGram(a) : referenceGram(transposeDense(a));
  const size = wide ? m : n;
  const eig = new EigenvalueDecomposition(
    new Matrix(Array.from({ length: size }, (_, i) => Array.from(g.subarray(i * size, (i + 1) * size)))),
    {
      assumeSymmetric: true,
    },
  );
  const order = eig.realEigenvalues.map((v, i) => [v, i] as const).sort((p, q) => q[0] - p[0]);
  const vecs = eig.eigenvectorMatrix;
  const s = new Float64Array(kk);
  const u = new Float64Array(m * kk);
  const v = new Float64Array(n * kk);
  for (let c = 0; c < kk; c++) {
    const [lambda, idx] = order[c]!;
    const sigma = Math.sqrt(Math.max(lambda, 0));
    s[c] = sigma;
    // small side vector
    const small = new Float64Array(size);
    for (let r = 0; r < size; r++) small[r] = vecs.get(r, idx);
    // other side = Aᵀ·small / sigma (wide) or A·small / sigma (tall)
    const other = new Float64Array(wide ? n : m);
    if (sigma > 0) {
      if (wide) {
        for (let r = 0; r < m; r++) for (let col = 0; col < n; col++) other[col]! += a.data[r * n + col]! * small[r]!;
      } else {
        for (let r = 0; r < m; r++) for (let col = 0; col < n; col++) other[r]! += a.data[r * n + col]! * small[col]!;
      }
      for (let t = 0; t < other.length; t++) other[t]! /= sigma;
    }
    const left = wide ? small : other;
    const right = wide ? other : small;
    let big = 0;
    for (let t = 0; t < right.length; t++) if (Math.abs(right[t]!) > Math.abs(big)) big = right[t]!;
    const sign = big < 0 ? -1 : 1;
    for (let r = 0; r < m; r++) u[r * kk + c] = sign * left[r]!;
    for (let col = 0; col < n; col++) v[col * kk + c] = sign * right[col]!;
  }
  return { s, u, v, k: kk, rows: m, cols: n };
}

function transposeDense(a: Dense): Dense {
  const out = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j]!;
  return { rows: a.cols, cols: a.rows, data: out };
}
