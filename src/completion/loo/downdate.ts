// Numeric kernel: indexed reads carry `!` where the index is < length by the loop bounds (the arrays
// are sized from the same counts: rows, columns, components, side columns) or by the shapes checked on entry.
import { symmetricEigen } from '../../linalg/eigen.js';
import { secularRoots } from '../../linalg/secular.js';
import {
  EIGEN_TOLERANCE,
  variantBasis,
  variantGram,
  type LowrankVariant,
  type TrainStats,
  type VariantBasis,
} from './basis.js';

/**
 * Leave-one-task-out fold bases of `lowrank` from one eigen-decomposition per centring instead of a
 * dense eigenproblem per fold. With G = U·Λ·Uᵀ the centred Gram of all M train rows:
 * - `uncentered`: the fold's Gram is G without row and column r, so its eigenvalues are the roots of
 *   the secular equation Σ_c u_rc²/(λ_c − μ) = 0 and its eigenvectors U·(Λ − μ)⁻¹·u_r on the other
 *   rows (`secularRoots`);
 * - `column`, `additive`: the fold's rows are re-centred on their own means, R'_a = R_a + R_r/(M − 1),
 *   so the fold's Gram is P·G·Pᵀ with P = [rows ≠ r] + 1·e_rᵀ/(M − 1). On 1⊥, where G lives (its
 *   null vector 1 is split off first by a Householder reflection), PᵀP = I − M/(M − 1)·e_r·e_rᵀ, and
 *   because M/(M − 1)·‖u_r‖² = 1 there the eigenvalues are again the roots of Σ_c u_rc²/(λ_c − μ) = 0,
 *   with eigenvectors P·U·(Λ − μ)⁻¹·u_r.
 * Each fold then costs O(M²) for the roots plus one M×M×k product for the vectors. Where the secular
 * equation is degenerate (repeated eigenvalues of G, a row with no weight on a component), the fold
 * falls back to the dense eigenproblem of its own Gram (`variantBasis`), so results never depend on
 * whether the fast path was taken beyond rounding.
 */

/** The eigen-decomposition of one centring's full-train Gram used by every fold (restricted to 1⊥ when centred). */
export interface FoldEigen {
  variant: LowrankVariant;
  /** Number of components n (M, or M − 1 when centred). */
  n: number;
  /** Eigenvalues, descending, length n. */
  lambda: Float64Array;
  /** Eigenvectors over the M train rows, M×n row-major. */
  u: Float64Array;
}

/** The full-train decomposition of one centring (see `FoldEigen`). */
export function foldEigen(stats: TrainStats, variant: LowrankVariant): FoldEigen {
  const m = stats.m;
  const all = Int32Array.from({ length: m }, (_, i) => i);
  const g = variantGram(stats, all, variant);
  if (variant === 'uncentered') {
    const eig = symmetricEigen(g, m);
    return { variant, n: m, lambda: eig.values, u: eig.vectors };
  }
  // Householder reflection H = I − 2·h·hᵀ/(hᵀh), h = 1/√M − e_{M−1}, maps 1/√M to e_{M−1}: the leading
  // (M−1)×(M−1) block of H·G·H is G on 1⊥
  const n = m - 1;
  const hv = new Float64Array(m).fill(1 / Math.sqrt(m));
  hv[m - 1]! -= 1;
  let hh = 0;
  for (let i = 0; i < m; i++) hh += hv[i]! * hv[i]!;
  const reflect = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) reflect[i * m + j] = (i === j ? 1 : 0) - (2 * hv[i]! * hv[j]!) / hh;
  const gh = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let t = 0; t < m; t++) s += g[i * m + t]! * reflect[t * m + j]!;
      gh[i * m + j] = s;
    }
  }
  const b = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < m; t++) s += reflect[t * m + i]! * gh[t * m + j]!;
      b[i * n + j] = s;
    }
  }
  const eig = symmetricEigen(b, n);
  const u = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < n; c++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += reflect[i * m + t]! * eig.vectors[t * n + c]!;
      u[i * n + c] = s;
    }
  }
  return { variant, n, lambda: eig.values, u };
}

/**
 * The basis of the train rows other than `heldOut` (in the order of `rows`) for one centring, from
 * the full-train decomposition (see the module comment); the dense `variantBasis` where the secular
 * equation is degenerate. Same components and threshold as `variantBasis`.
 */
export function foldBasis(
  stats: TrainStats,
  full: FoldEigen,
  rows: Int32Array,
  heldOut: number,
  maxRank: number,
): VariantBasis {
  const { variant, n, lambda, u } = full;
  const m = stats.m;
  const ur = u.subarray(heldOut * n, heldOut * n + n);
  const sec = secularRoots(lambda, ur);
  if (!sec) return variantBasis(stats, rows, variant, maxRank);
  const mp = rows.length;
  const g = variantGram(stats, rows, variant);
  let energy = 0;
  for (let a = 0; a < mp; a++) energy += g[a * mp + a]!;
  const roots = sec.roots;
  const top = roots[0] ?? 0;
  let r = 0;
  const limit = Math.min(maxRank, variant === 'uncentered' ? mp : mp - 1, roots.length);
  while (r < limit && roots[r]! > EIGEN_TOLERANCE * top && roots[r]! > 0) r++;
  const s = new Float64Array(r);
  const out = new Float64Array(mp * r);
  const centred = variant !== 'uncentered';
  const pu = new Float64Array(n);
  const x = new Float64Array(mp * r);
  for (let a = 0; a < mp; a++) {
    const i = rows[a]!;
    for (let k = 0; k < n; k++) pu[k] = u[i * n + k]! + (centred ? ur[k]! / (m - 1) : 0);
    for (let c = 0; c < r; c++) {
      let acc = 0;
      const yc = c * n;
      for (let k = 0; k < n; k++) acc += pu[k]! * sec.y[yc + k]!;
      x[a * r + c] = acc;
    }
  }
  for (let c = 0; c < r; c++) {
    let norm = 0;
    for (let a = 0; a < mp; a++) norm += x[a * r + c]! * x[a * r + c]!;
    const inv = 1 / Math.sqrt(norm);
    for (let a = 0; a < mp; a++) out[a * r + c] = x[a * r + c]! * inv;
    s[c] = Math.sqrt(roots[c]!);
  }
  return { variant, rows: mp, r, s, u: out, energy };
}
