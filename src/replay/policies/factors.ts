import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import type { Backend, Dense, SVDResult } from '../../linalg/types.js';
import { symmetricEigen } from '../../linalg/eigen.js';
import { itemAt } from '../../util/checked.js';
import { ForgetscopeError } from '../../util/errors.js';

/** The train rows as a dense float64 block, missing cells 0, and the factor rank clipped to the shape. */
function denseTrain(train: ForgettingMatrix, rank: number): { a: Dense; k: number } {
  if (!Number.isSafeInteger(rank) || rank < 1)
    throw new ForgetscopeError('usage', `factor rank must be a positive integer, got ${rank}`);
  const m = train.rows;
  const n = train.cols;
  const data = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) data[i * n + j] = train.isObserved(i, j) ? train.get(i, j) : 0;
  return { a: { rows: m, cols: n, data }, k: Math.min(rank, m, n) };
}

/** V·S of an SVD: N × k row-major. */
function scaledRightVectors(svd: SVDResult, n: number, k: number): { rank: number; data: Float64Array } {
  const out = new Float64Array(n * k);
  for (let j = 0; j < n; j++)
    for (let c = 0; c < k; c++) out[j * k + c] = itemAt(svd.v, j * svd.k + c) * itemAt(svd.s, c);
  return { rank: k, data: out };
}

/**
 * Example factors of the train rows on a backend: the first `rank` right singular vectors scaled by
 * their singular values (N × rank, row-major, float64), from `backend.topSVD` (cpu threads, WebGPU …).
 * Two examples whose factors point the same way are forgotten together across the train tasks;
 * `coverage` uses their cosine, which does not depend on the singular vectors' signs. Missing cells count as 0.
 * @example
 * const f = await exampleFactorsWith(backend, train, 5); // f.data[j * 5 + k]
 */
export async function exampleFactorsWith(
  backend: Backend,
  train: ForgettingMatrix,
  rank: number,
): Promise<{ rank: number; data: Float64Array }> {
  const { a, k } = denseTrain(train, rank);
  const svd = await backend.topSVD(a, k);
  return scaledRightVectors(svd, a.cols, k);
}

/**
 * `exampleFactorsWith` on the calling thread (synchronous): the eigenvectors of the M × M Gram matrix
 * of the train rows (float64) give U and S, and V·S = Aᵀ·U. Same factors, up to the signs of columns.
 * @example
 * const f = exampleFactors(train, 5); // f.data[j * 5 + k]
 */
export function exampleFactors(train: ForgettingMatrix, rank: number): { rank: number; data: Float64Array } {
  const { a, k } = denseTrain(train, rank);
  const { rows: m, cols: n, data } = a;
  const g = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let r = 0; r <= i; r++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += itemAt(data, i * n + j) * itemAt(data, r * n + j);
      g[i * m + r] = s;
      g[r * m + i] = s;
    }
  }
  const eig = symmetricEigen(g, m);
  const out = new Float64Array(n * k);
  // V·S = Aᵀ·U (column c of U = eigenvector c); the eigenvalues come in descending order.
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < m; i++) {
      const u = itemAt(eig.vectors, i * m + c);
      if (u === 0) continue;
      for (let j = 0; j < n; j++) out[j * k + c] = itemAt(out, j * k + c) + itemAt(data, i * n + j) * u;
    }
  }
  return { rank: k, data: out };
}
