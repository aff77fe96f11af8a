/**
 * The orthonormal SVD form of a product of factors U·Vᵀ.
 * Numeric kernel: indexed reads carry `!` where the index is < length by the loop bounds (or by the
 * shapes checked on entry).
 */
import type { Backend } from '../linalg/types.js';
import { smallSVD } from '../linalg/smallDense.js';
import { signNormalise } from './signNormalise.js';

/** The SVD `U·diag(s)·Vᵀ` of a product of factors, with orthonormal U and V. */
export interface FactorSVD {
  s: Float64Array;
  /** rows×k, orthonormal columns, row-major. */
  u: Float64Array;
  /** cols×k, orthonormal columns, row-major. */
  v: Float64Array;
  k: number;
}

/**
 * SVD of the rank-k matrix `A·Bᵀ` given its factors (A: rows×k, B: cols×k) without forming it:
 * with the eigen-decompositions `AᵀA = Ea·Da·Eaᵀ`, `BᵀB = Eb·Db·Ebᵀ`, `A·Bᵀ = Qa·C·Qbᵀ` where
 * `Qa = A·Ea·Da^{-1/2}` is orthonormal and `C = Da^{1/2}·Eaᵀ·Eb·Db^{1/2}` is k×k, so the SVD of C
 * gives everything. Directions with zero energy get zero vectors. The two tall products run on the
 * Backend. Signs follow `signNormalise`.
 * @example
 * const { s } = await orthogonaliseFactors(Float64Array.of(1, 2), Float64Array.of(3, 4), 2, 2, 1, backend);
 * s; // [5 · √5] = ‖a‖·‖b‖
 */
export async function orthogonaliseFactors(
  a: Float64Array,
  b: Float64Array,
  rows: number,
  cols: number,
  k: number,
  backend: Backend,
): Promise<FactorSVD> {
  const A = { rows, cols: k, data: a };
  const B = { rows: cols, cols: k, data: b };
  const ga = smallSVD(await backend.gemm(A, A, { transA: true }), k, k);
  const gb = smallSVD(await backend.gemm(B, B, { transA: true }), k, k);
  // For a symmetric PSD matrix the SVD is the eigen-decomposition.
  const cutA = ga.s[0]! * 1e-28;
  const cutB = gb.s[0]! * 1e-28;
  const sqrtA = Float64Array.from(ga.s, (x) => (x > cutA ? Math.sqrt(x) : 0));
  const sqrtB = Float64Array.from(gb.s, (x) => (x > cutB ? Math.sqrt(x) : 0));
  const core = new Float64Array(k * k);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      let dot = 0;
      for (let t = 0; t < k; t++) dot += ga.u[t * k + r]! * gb.u[t * k + c]!;
      core[r * k + c] = sqrtA[r]! * dot * sqrtB[c]!;
    }
  }
  const svd = smallSVD(core, k, k);
  // Wa = Ea·Da^{-1/2}·P and Wb = Eb·Db^{-1/2}·R map the factors to orthonormal singular vectors.
  const wa = mapping(ga.u, sqrtA, svd.u, k);
  const wb = mapping(gb.u, sqrtB, svd.v, k);
  const u = await backend.gemm(A, { rows: k, cols: k, data: wa });
  const v = await backend.gemm(B, { rows: k, cols: k, data: wb });
  signNormalise(u, v, k);
  return { s: svd.s, u, v, k };
}

function mapping(e: Float64Array, sqrtD: Float64Array, p: Float64Array, k: number): Float64Array {
  const w = new Float64Array(k * k);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let t = 0; t < k; t++) if (sqrtD[t]! > 0) s += (e[r * k + t]! / sqrtD[t]!) * p[t * k + c]!;
      w[r * k + c] = s;
    }
  }
  return w;
}
