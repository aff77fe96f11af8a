/**
 * Small dense helpers for the closed-form completion methods (matrices of size tasks × tasks or
 * rank × rank, never N). The k×k ridge solves run thousands of times inside leave-one-task-out model
 * selection, so they are a plain in-place Cholesky on typed arrays rather than ml-matrix objects
 * (whose per-call allocation dominates at these sizes). Eigenproblems go through the linalg layer.
 */

/**
 * Solves the symmetric positive definite system A·x = b in place by Cholesky (A is n×n row-major and
 * is overwritten by its factor; b becomes x). Returns false when A is not positive definite.
 */
export function choleskySolveInPlace(a: Float64Array, b: Float64Array, n: number): boolean {
  if (!choleskyInPlace(a, n)) return false;
  choleskyBackSolve(a, b, n);
  return true;
}

/** Overwrites the lower triangle of A (n×n row-major, SPD) with L where A = L·Lᵀ; false when not SPD. */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= a[j * n + k]! * a[j * n + k]!;
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = s / l;
    }
  }
  return true;
}

/** Given the Cholesky factor L (lower triangle of `l`), overwrites b with the solution of L·Lᵀ·x = b. */
export function choleskyBackSolve(l: Float64Array, b: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
}

/** Overwrites b with L⁻¹·b (forward substitution with the Cholesky factor in the lower triangle of `l`). */
export function choleskyForwardSolve(l: Float64Array, b: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
}
