// Numeric kernel: indexed reads carry `!` where the index is < length by the loop bounds (the arrays
// are sized from the same counts: rows, columns, components, side columns) or by the shapes checked on entry.
import type { VariantBasis } from './basis.js';
import type { RidgeSolution } from './ridge.js';
import { forwardSubstitute } from '../../linalg/smallDense.js';

/**
 * A ridge solution of `lowrank` turned into the per-column forms of `columnForms` (linalg/cpu), so a
 * prediction with intervals runs straight on the centred train columns x_j without forming the
 * N×k right singular vectors: with v_j = S⁻¹·Uᵀ·x_j (component c of column j),
 *   prediction_j − offset_j − a = wᵀ·v_j = gᵀ·x_j,                g = U·S⁻¹·w,
 *   ‖L⁻¹·(1?, v_j)‖² = ‖t0 + H·x_j‖²,                               H = L⁻¹[:, comps]·S⁻¹·Uᵀ, t0 = L⁻¹[:, intercept],
 * with L the Cholesky factor of the ridge system. Works for the full train rows and for a fold's rows
 * alike (U is rows×r of whichever basis the solution was fitted on).
 */
export interface RidgeForms {
  /** The intercept a (0 without one). */
  intercept: number;
  /** g (length rows). */
  g: Float64Array;
  /** H, p×rows row-major (p = design columns of the solution). */
  h: Float64Array;
  /** t0 (length p). */
  t0: Float64Array;
}

/**
 * The forms of one ridge solution on `basis` (see `RidgeForms`); `withInterval: false` leaves H and
 * t0 empty (prediction only). O(p²·rows + p³).
 */
export function ridgeForms(basis: VariantBasis, sol: RidgeSolution, withInterval = true): RidgeForms {
  const rows = basis.rows;
  const r = basis.r;
  const u = basis.u;
  const p = sol.index.length;
  let intercept = 0;
  // w_c / s_c per component of the solution
  const ws = new Float64Array(r);
  for (let x = 0; x < p; x++) {
    const ix = sol.index[x]!;
    if (ix === 0) intercept = sol.beta[x]!;
    else ws[ix - 1] = sol.beta[x]! / basis.s[ix - 1]!;
  }
  const g = new Float64Array(rows);
  for (let a = 0; a < rows; a++) {
    let acc = 0;
    for (let c = 0; c < r; c++) acc += u[a * r + c]! * ws[c]!;
    g[a] = acc;
  }
  if (!withInterval || p === 0) return { intercept, g, h: new Float64Array(0), t0: new Float64Array(0) };
  // T = L⁻¹ (lower triangular), column by column
  const l = sol.factor;
  const t = new Float64Array(p * p);
  const e = new Float64Array(p);
  for (let col = 0; col < p; col++) {
    // column col of L⁻¹: L·x = e_col; rows above col stay 0, so solving from row col on suffices
    e.fill(0);
    e[col] = 1;
    forwardSubstitute(l.subarray(col * p + col), e.subarray(col), p - col, p);
    for (let i = col; i < p; i++) t[i * p + col] = e[i]!;
  }
  const t0 = new Float64Array(p);
  const h = new Float64Array(p * rows);
  // the columns of T on components, scaled by 1/s_c: H = T_c·S⁻¹·Uᵀ
  const tc = new Float64Array(p * r);
  for (let x = 0; x < p; x++) {
    const ix = sol.index[x]!;
    for (let i = x; i < p; i++) {
      if (ix === 0) t0[i] = t[i * p + x]!;
      else tc[i * r + ix - 1] = t[i * p + x]! / basis.s[ix - 1]!;
    }
  }
  for (let i = 0; i < p; i++) {
    for (let a = 0; a < rows; a++) {
      let acc = 0;
      for (let c = 0; c < r; c++) acc += tc[i * r + c]! * u[a * r + c]!;
      h[i * rows + a] = acc;
    }
  }
  return { intercept, g, h, t0 };
}
