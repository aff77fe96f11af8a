/**
 * Test oracles of the leave-one-task-out ridge (src/completion/loo): straightforward versions of what
 * the library computes in fused or closed form — the nested ridge solutions one rank at a time, the
 * squared errors of a solution over the measured and over all columns, and a column's predictive
 * standard deviation from the ridge factor — so tests can compare the fast paths with them.
 */
import { choleskyForwardSolve, choleskyLeadingInPlace } from '../../src/linalg/smallDense.js';
import type { VariantBasis } from '../../src/completion/loo/basis.js';
import type { FoldVariant } from '../../src/completion/loo/folds.js';
import {
  designIndex,
  penalisedSystem,
  penaltyScale,
  type KnownNormal,
  type RidgeSolution,
} from '../../src/completion/loo/ridge.js';

/**
 * The ridge solutions for several ranks at once. Because the penalty of a component does not depend
 * on k, the rank-k system is the leading block of the rank-r one: one Cholesky factor and one
 * forward substitution serve every k, each k then costs one O(k²) back substitution. Entries are
 * null where the solution does not exist.
 */
export function solveRidgeNested(
  normal: KnownNormal,
  basis: VariantBasis,
  n: number,
  ranks: readonly number[],
  alpha: number,
  intercept: boolean,
): (RidgeSolution | null)[] {
  const kmax = Math.min(basis.r, Math.max(0, ...ranks));
  const index = designIndex(kmax, intercept);
  const p = index.length;
  const { a, h, added } = penalisedSystem(normal, basis, n, index, alpha);
  // Leading blocks that factor: Cholesky stops at the first non-positive pivot.
  const good = p > 0 && !(alpha === 0 && normal.cK.length === 0) ? choleskyLeadingInPlace(a, p) : 0;
  const z = Float64Array.from(h);
  for (let i = 0; i < good; i++) {
    let v = z[i]!;
    for (let t = 0; t < i; t++) v -= a[i * p + t]! * z[t]!;
    z[i] = v / a[i * p + i]!;
  }
  return ranks.map((k) => {
    const pk = k + (intercept ? 1 : 0);
    if (k > basis.r) return null;
    if (pk === 0) return { index: new Int32Array(0), beta: new Float64Array(0), factor: new Float64Array(0) };
    if (pk > good || (alpha === 0 && pk > normal.cK.length)) return null;
    const beta = z.slice(0, pk);
    for (let i = pk - 1; i >= 0; i--) {
      let v = beta[i]!;
      for (let t = i + 1; t < pk; t++) v -= a[t * p + i]! * beta[t]!;
      beta[i] = v / a[i * p + i]!;
    }
    // No factor copy: selection only needs β (intervals re-solve the chosen setting with solveRidge).
    return { index: index.slice(0, pk), beta, factor: new Float64Array(0), added: added.subarray(0, pk) };
  });
}

/** Squared error of a ridge solution over the measured columns: ‖c_K − X·β‖² (O(p) when the added diagonal is known, else O(p²)). */
export function knownSquaredError(normal: KnownNormal, sol: RidgeSolution): number {
  const q = normal.r + normal.sides + 1;
  const p = sol.index.length;
  if (sol.added) {
    // (XᵀX + D)β = Xᵀc ⇒ ‖c − Xβ‖² = cᵀc − βᵀXᵀc − βᵀDβ
    let e = normal.ccK;
    for (let x = 0; x < p; x++) e -= sol.beta[x]! * (normal.h[sol.index[x]!]! + sol.added[x]! * sol.beta[x]!);
    return Math.max(e, 0);
  }
  let e = normal.ccK;
  for (let x = 0; x < p; x++) {
    const ix = sol.index[x]!;
    e -= 2 * sol.beta[x]! * normal.h[ix]!;
    for (let y = 0; y < p; y++) e += sol.beta[x]! * normal.f[ix * q + sol.index[y]!]! * sol.beta[y]!;
  }
  return Math.max(e, 0);
}

/**
 * Squared error over all N columns of a fold's held-out row: ‖c − a·1 − V·w‖² =
 * ‖c‖² − 2a·Σc − 2wᵀt + a²N + ‖w‖² (V orthonormal, and Vᵀ1 = 0 whenever an intercept is used).
 */
export function allSquaredError(fv: FoldVariant, sol: RidgeSolution, n: number): number {
  let e = fv.cc;
  for (let x = 0; x < sol.index.length; x++) {
    const ix = sol.index[x]!;
    const b = sol.beta[x]!;
    if (ix === 0) e += -2 * b * fv.sc + b * b * n;
    else e += -2 * b * fv.t[ix - 1]! + b * b;
  }
  return e;
}

/**
 * Predictive standard deviation (before the scale κ) of one column: sqrt(σ̄²·‖L⁻¹x‖² + e_j/M), with
 * x = (1?, v_j1 … v_jk) passed in `scratch` (overwritten), L the Cholesky factor of the ridge system, σ̄² the per-entry variance of the
 * centred train block and e_j/M the column's variance in it. Both terms are independent of k on
 * purpose: in-sample rank-k residuals vanish as k approaches the number of train rows and would make
 * the shape degenerate; the leave-one-task-out scale κ absorbs the overall level.
 */
export function predictiveSd(
  sol: RidgeSolution,
  basis: VariantBasis,
  n: number,
  energy: number,
  scratch: Float64Array,
): number {
  const p = sol.index.length;
  let param = 0;
  if (p > 0) {
    choleskyForwardSolve(sol.factor, scratch, p);
    for (let x = 0; x < p; x++) param += scratch[x]! * scratch[x]!;
  }
  const scale = penaltyScale(basis, n);
  const floor = 1e-300 + 1e-24 * scale;
  return Math.sqrt(scale * param + Math.max(energy, 0) / basis.rows + floor);
}
