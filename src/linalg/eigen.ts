// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** Eigen-decomposition of a symmetric matrix, eigenvalues in descending order. */
export interface SymmetricEigen {
  n: number;
  /** Eigenvalues, descending. */
  values: Float64Array;
  /** Eigenvectors as columns of an n×n row-major array: column t belongs to `values[t]`. */
  vectors: Float64Array;
}

/**
 * The eigen-decomposition of a symmetric n×n row-major matrix (ml-matrix's Householder
 * tridiagonalisation + implicit QL, float64), sorted by descending eigenvalue.
 *
 * @example symmetricEigen(new Float64Array([2, 1, 1, 2]), 2).values // [3, 1]
 */
export function symmetricEigen(g: Float64Array, n: number): SymmetricEigen {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(n);
    // symmetrise so round-off asymmetry in the input does not leak into the solver
    for (let j = 0; j < n; j++) row[j] = 0.5 * (g[i * n + j]! + g[j * n + i]!);
    rows.push(row);
  }
  const eig = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const lambda = eig.realEigenvalues;
  const order = lambda.map((_v, i) => i).sort((p, q) => lambda[q]! - lambda[p]!);
  const vecs = eig.eigenvectorMatrix;
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let t = 0; t < n; t++) {
    const idx = order[t]!;
    values[t] = lambda[idx]!;
    for (let r = 0; r < n; r++) vectors[r * n + t] = vecs.get(r, idx);
  }
  return { n, values, vectors };
}
