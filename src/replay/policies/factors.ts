import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { referenceTopSVD } from '../../linalg/reference.js';
import { ForgetscopeError } from '../../util/errors.js';

/**
 * Example factors of the train rows: the first `rank` right singular vectors scaled by their singular
 * values (N × rank, row-major), float64. Two examples whose factors point the same way are forgotten
 * together across the train tasks; `coverage` uses their cosine. Missing cells count as 0.
 * @example
 * const f = exampleFactors(train, 5); // f.data[j * 5 + k]
 */
export function exampleFactors(train: ForgettingMatrix, rank: number): { rank: number; data: Float64Array } {
  if (!Number.isSafeInteger(rank) || rank < 1) throw new ForgetscopeError('usage', `factor rank must be a positive integer, got ${rank}`);
  const m = train.rows;
  const n = train.cols;
  const data = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) data[i * n + j] = train.isObserved(i, j) ? train.get(i, j) : 0;
  const k = Math.min(rank, m, n);
  const svd = referenceTopSVD({ rows: m, cols: n, data }, k);
  const out = new Float64Array(n * k);
  for (let j = 0; j < n; j++) for (let c = 0; c < k; c++) out[j * k + c] = svd.v[j * svd.k + c]! * svd.s[c]!;
  return { rank: k, data: out };
}
