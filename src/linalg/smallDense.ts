// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import { Matrix, SingularValueDecomposition } from 'ml-matrix';

/**
 * Small dense linear algebra on row-major typed arrays: the k×k systems of the low-rank fits and the
 * tasks×tasks or rank×rank systems of the closed-form completion methods (never N×N). Sizes this small
 * are not worth a Backend round trip, and the ridge solves run thousands of times inside leave-one-task-out
 * model selection, so they are plain in-place loops rather than ml-matrix objects (whose per-call
 * allocation dominates at these sizes). The large products stay on the Backend.
 *
 * Every function takes the matrix, then the right-hand side where there is one, then the order `n`.
 */

/** The pivot of column j: A[j][j] − Σ_{k<j} L[j][k]² (columns 0..j−1 already factored). */
function pivotOf(a: Float64Array, n: number, j: number): number {
  let d = a[j * n + j]!;
  for (let k = 0; k < j; k++) d -= a[j * n + k]! * a[j * n + k]!;
  return d;
}

/** Writes column j of L: the diagonal l, and below it (A[i][j] − Σ_{k<j} L[i][k]·L[j][k]) / l. */
function eliminateColumn(a: Float64Array, n: number, j: number, l: number): void {
  a[j * n + j] = l;
  for (let i = j + 1; i < n; i++) {
    let s = a[i * n + j]!;
    for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
    a[i * n + j] = s / l;
  }
}

/**
 * Overwrites the lower triangle of A (n×n row-major, symmetric) with L where A = L·Lᵀ.
 * Without `floor`, returns false as soon as a pivot is not positive (A is not positive definite).
 * With `floor`, a pivot below it is raised to it, so a positive semi-definite A always factors (returns true).
 * @example
 * const a = Float64Array.of(4, 2, 2, 2);
 * choleskyInPlace(a, 2); // true; lower triangle of a → [2, ·, 1, 1]
 */
export function choleskyInPlace(a: Float64Array, n: number, floor?: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = pivotOf(a, n, j);
    if (floor === undefined) {
      if (!(d > 0)) return false;
    } else {
      d = Math.max(d, floor);
    }
    eliminateColumn(a, n, j, Math.sqrt(d));
  }
  return true;
}

/**
 * Cholesky of A's leading blocks (n×n row-major, symmetric): factors column after column and stops at the
 * first pivot that is not positive. Returns g, the number of columns factored: for every g' ≤ g the
 * lower triangle holds the factor of A's leading g'×g' block. Nested ridge fits (rank 1, 2, … of one
 * design) solve every rank that factors from this one pass.
 * @example
 * choleskyLeadingInPlace(Float64Array.of(4, 2, 2, 1), 2); // 1: the 2×2 block is singular, the 1×1 block factors
 */
export function choleskyLeadingInPlace(a: Float64Array, n: number): number {
  for (let j = 0; j < n; j++) {
    const d = pivotOf(a, n, j);
    if (!(d > 0)) return j;
    eliminateColumn(a, n, j, Math.sqrt(d));
  }
  return n;
}

/**
 * Lower triangular solve in place: overwrites b[0..n) with L⁻¹·b, L the leading n×n block of the lower
 * triangle of `l` stored row-major with row stride `ld` (default n; a larger `ld` solves a leading
 * block of a bigger factor, as the nested ridge fits do). The upper triangle is not read.
 * @example
 * const b = Float64Array.of(2, 2);
 * forwardSubstitute(Float64Array.of(2, 0, 1, 1), b, 2); // b → [1, 1]
 */
export function forwardSubstitute(l: Float64Array, b: Float64Array, n: number, ld = n): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * ld + k]! * b[k]!;
    b[i] = s / l[i * ld + i]!;
  }
}

/**
 * Transposed lower triangular solve in place: overwrites b[0..n) with L⁻ᵀ·b (back substitution), L as in
 * `forwardSubstitute` (leading n×n block, row stride `ld`, default n).
 * @example
 * const b = Float64Array.of(3, 1);
 * backSubstitute(Float64Array.of(2, 0, 1, 1), b, 2); // b → [1, 1]  (Lᵀ = [[2, 1], [0, 1]])
 */
export function backSubstitute(l: Float64Array, b: Float64Array, n: number, ld = n): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * ld + i]! * b[k]!;
    b[i] = s / l[i * ld + i]!;
  }
}

/**
 * Overwrites b with L⁻¹·b (forward substitution with the Cholesky factor in the lower triangle of `l`);
 * `forwardSubstitute` with ld = n.
 * @example
 * const b = Float64Array.of(2, 2);
 * choleskyForwardSolve(Float64Array.of(2, 0, 1, 1), b, 2); // b → [1, 1]
 */
export function choleskyForwardSolve(l: Float64Array, b: Float64Array, n: number): void {
  forwardSubstitute(l, b, n);
}

/**
 * Given the Cholesky factor L (lower triangle of `l`), overwrites b with the solution of L·Lᵀ·x = b
 * (the whole solve: `forwardSubstitute`, then `backSubstitute`; `choleskySolve` is the same function).
 * @example
 * const b = Float64Array.of(6, 4);
 * choleskyBackSolve(Float64Array.of(2, 0, 1, 1), b, 2); // b → [1, 1]  (L·Lᵀ = [[4, 2], [2, 2]])
 */
export function choleskyBackSolve(l: Float64Array, b: Float64Array, n: number): void {
  forwardSubstitute(l, b, n);
  backSubstitute(l, b, n);
}

/** Solves L·Lᵀ·x = b in place from the Cholesky factor L (lower triangle of `l`, n×n); the name says what `choleskyBackSolve` does. */
export const choleskySolve = choleskyBackSolve;

/**
 * Adds `relative` (default 1e-14) times the largest diagonal entry of the n×n row-major `a` to its
 * diagonal, so an exactly determined or barely singular system stays solvable in floating point; with
 * `added`, the same amount is added to added[0..n) (a caller that tracks the penalty it put on the
 * diagonal). Returns the amount added.
 * @example
 * const a = Float64Array.of(2, 0, 0, 1);
 * addJitter(a, 2, undefined, 0.5); // 1; a → [3, 0, 0, 2]
 */
export function addJitter(a: Float64Array, n: number, added?: Float64Array, relative = 1e-14): number {
  let diag = 0;
  for (let x = 0; x < n; x++) diag = Math.max(diag, a[x * n + x]!);
  const jitter = diag * relative;
  for (let x = 0; x < n; x++) {
    a[x * n + x]! += jitter;
    if (added) added[x]! += jitter;
  }
  return jitter;
}

/**
 * Solves the symmetric positive definite system A·x = b in place by Cholesky (A is n×n row-major and
 * is overwritten by its factor; b becomes x). Returns false when A is not positive definite.
 * @example
 * const b = Float64Array.of(2, 3);
 * choleskySolveInPlace(Float64Array.of(2, 0, 0, 3), b, 2); // true; b → [1, 1]
 */
export function choleskySolveInPlace(a: Float64Array, b: Float64Array, n: number): boolean {
  if (!choleskyInPlace(a, n)) return false;
  choleskyBackSolve(a, b, n);
  return true;
}

/**
 * Solves `(A + ridge·I) x = b` in place for a symmetric positive semi-definite n×n `a` (row-major)
 * by Cholesky; `a` and `b` are overwritten (x is returned in `b`). A tiny ridge keeps rows with
 * fewer than n observations solvable (it picks the small-norm solution); pivots are floored at 1e-300,
 * so the solve never fails.
 * @example
 * const b = Float64Array.of(2, 3);
 * ridgeSolveInPlace(Float64Array.of(2, 0, 0, 3), b, 2, 0); // b → [1, 1]
 */
export function ridgeSolveInPlace(a: Float64Array, b: Float64Array, n: number, ridge: number): Float64Array {
  for (let d = 0; d < n; d++) a[d * n + d]! += ridge;
  choleskyInPlace(a, n, 1e-300);
  choleskyBackSolve(a, b, n);
  return b;
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
