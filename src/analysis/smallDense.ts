import { Matrix, SingularValueDecomposition } from 'ml-matrix';

/**
 * Helpers for the k×k systems of the low-rank fits (k ≤ a few dozen). Sizes this small are not
 * worth a Backend round trip; the large products stay on the Backend.
 */

/**
 * Solves `(A + ridge·I) x = b` in place for a symmetric positive semi-definite k×k `a` (row-major)
 * by Cholesky; `a` and `b` are overwritten (x is returned in `b`). A tiny ridge keeps rows with
 * fewer than k observations solvable (it picks the small-norm solution).
 * @example
 * const b = Float64Array.of(2, 3);
 * choleskySolveInPlace(Float64Array.of(2, 0, 0, 3), b, 2, 0); // b → [1, 1]
 */
export function choleskySolveInPlace(a: Float64Array, b: Float64Array, k: number, ridge: number): Float64Array {
  for (let d = 0; d < k; d++) a[d * k + d]! += ridge;
  for (let c = 0; c < k; c++) {
    let diag = a[c * k + c]!;
    for (let p = 0; p < c; p++) diag -= a[c * k + p]! * a[c * k + p]!;
    const l = Math.sqrt(Math.max(diag, 1e-300));
    a[c * k + c] = l;
    for (let r = c + 1; r < k; r++) {
      let s = a[r * k + c]!;
      for (let p = 0; p < c; p++) s -= a[r * k + p]! * a[c * k + p]!;
      a[r * k + c] = s / l;
    }
  }
  for (let r = 0; r < k; r++) {
    let s = b[r]!;
    for (let p = 0; p < r; p++) s -= a[r * k + p]! * b[p]!;
    b[r] = s / a[r * k + r]!;
  }
  for (let r = k - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let p = r + 1; p < k; p++) s -= a[p * k + r]! * b[p]!;
    b[r] = s / a[r * k + r]!;
  }
  return b;
}

/**
 * Lower Cholesky factor L of a symmetric positive definite k×k matrix (row-major), `g = L·Lᵀ`.
 * @example
 * choleskyLower(Float64Array.of(4, 2, 2, 2), 2); // [2, 0, 1, 1]
 */
export function choleskyLower(g: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let c = 0; c < k; c++) {
    let diag = g[c * k + c]!;
    for (let p = 0; p < c; p++) diag -= l[c * k + p]! * l[c * k + p]!;
    const d = Math.sqrt(Math.max(diag, 1e-300));
    l[c * k + c] = d;
    for (let r = c + 1; r < k; r++) {
      let s = g[r * k + c]!;
      for (let p = 0; p < c; p++) s -= l[r * k + p]! * l[c * k + p]!;
      l[r * k + c] = s / d;
    }
  }
  return l;
}

/**
 * Inverse of a lower-triangular k×k matrix (row-major), by forward substitution.
 * @example
 * invertLower(Float64Array.of(2, 0, 1, 1), 2); // [0.5, 0, -0.5, 1]
 */
export function invertLower(l: Float64Array, k: number): Float64Array {
  const inv = new Float64Array(k * k);
  for (let c = 0; c < k; c++) {
    for (let r = 0; r < k; r++) {
      let s = r === c ? 1 : 0;
      for (let p = 0; p < r; p++) s -= l[r * k + p]! * inv[p * k + c]!;
      inv[r * k + c] = s / l[r * k + r]!;
    }
  }
  return inv;
}

/** SVD of a small dense matrix (ml-matrix), as row-major arrays with singular values descending. */
export interface SmallSVD {
  s: Float64Array;
  /** rows×r left vectors, row-major. */
  u: Float64Array;
  /** cols×r right vectors, row-major. */
  v: Float64Array;
}

/**
 * Thin SVD of a small rows×cols row-major matrix through ml-matrix.
 * @example
 * smallSVD(Float64Array.of(3, 0, 0, 4), 2, 2).s; // [4, 3]
 */
export function smallSVD(a: Float64Array, rows: number, cols: number): SmallSVD {
  const m = new Matrix(Array.from({ length: rows }, (_, i) => Array.from(a.subarray(i * cols, (i + 1) * cols))));
  const svd = new SingularValueDecomposition(m, { autoTranspose: true });
  const r = Math.min(rows, cols);
  const order = Array.from(svd.diagonal.slice(0, r), (s, idx) => [s, idx] as const).sort((p, q) => q[0] - p[0]);
  const s = new Float64Array(r);
  const u = new Float64Array(rows * r);
  const v = new Float64Array(cols * r);
  const U = svd.leftSingularVectors;
  const V = svd.rightSingularVectors;
  order.forEach(([sv, idx], c) => {
    s[c] = sv;
    for (let i = 0; i < rows; i++) u[i * r + c] = U.get(i, idx);
    for (let j = 0; j < cols; j++) v[j * r + c] = V.get(j, idx);
  });
  return { s, u, v };
}
