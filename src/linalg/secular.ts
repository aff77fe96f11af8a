/**
 * The eigenproblem of a symmetric matrix with one row and column removed, from the eigen-decomposition
 * of the whole matrix: if G = U·Λ·Uᵀ (n×n, U orthogonal) and u = row r of U, the eigenvalues of G
 * without row and column r are the n − 1 roots μ of the secular equation
 *   g(μ) = Σ_c u_c² / (λ_c − μ) = 0,
 * one strictly inside each interval (λ_{c+1}, λ_c) between consecutive eigenvalues (λ descending,
 * distinct, no u_c zero), and the eigenvector of root μ is U·(Λ − μ)⁻¹·u restricted to the other rows
 * (its entry r is g(μ) = 0). O(n²) per root set instead of a dense O(n³) eigensolver; the vectors
 * then cost one n×n×n product. Leave-one-out folds of a Gram matrix are exactly this problem.
 *
 * Each root is found relative to its nearer pole (μ = origin + τ, so λ_c − μ = (λ_c − origin) − τ
 * keeps full relative accuracy however close the root is to a pole) by the Bunch–Nielsen–Sorensen
 * two-pole rational model, safeguarded by bisection of a bracket that always holds the root. The
 * weights used for the vectors are then recomputed from the roots (Löwner's formula, as in
 * Gu & Eisenstat), so that the computed roots are exact for them and the vectors come out
 * numerically orthogonal even for clustered eigenvalues.
 * Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
 */

/** Roots of the secular equation and the (unnormalised) directions (Λ − μ_i)⁻¹·û. */
export interface SecularRoots {
  /** Number of poles n. */
  n: number;
  /** Roots μ_0 > μ_1 > … > μ_{n−2}. */
  roots: Float64Array;
  /** Directions, (n − 1) rows of n: y[i·n + c] = û_c / (λ_c − μ_i). */
  y: Float64Array;
}

/** Relative gap between neighbouring poles below which `secularRoots` declines (returns null). */
export const SECULAR_MIN_GAP = 1e-13;
/** Squared weight below which `secularRoots` declines (the root would sit on its pole). */
export const SECULAR_MIN_WEIGHT = 1e-200;

const EPS = 2.220446049250313e-16;

/**
 * The roots of Σ_c u_c²/(λ_c − μ) = 0 and their eigenvector directions (see the module comment), for
 * poles `lambda` in strictly descending order. Returns null when the problem is degenerate for this
 * method (two poles closer than `SECULAR_MIN_GAP`·max|λ|, or a weight u_c² below `SECULAR_MIN_WEIGHT`
 * relative to Σu²): the caller then solves the reduced matrix densely.
 * @example
 * // G = diag(3, 1) in the basis u = (1, 1)/√2: removing a row leaves the 1×1 matrix [2]
 * secularRoots(Float64Array.of(3, 1), Float64Array.of(Math.SQRT1_2, Math.SQRT1_2))!.roots; // [2]
 */
export function secularRoots(lambda: Float64Array, u: Float64Array): SecularRoots | null {
  const n = lambda.length;
  const roots = new Float64Array(Math.max(n - 1, 0));
  const y = new Float64Array(Math.max(n - 1, 0) * n);
  if (n <= 1) return { n, roots, y };
  let scale = 0;
  let total = 0;
  for (let c = 0; c < n; c++) {
    scale = Math.max(scale, Math.abs(lambda[c]!));
    total += u[c]! * u[c]!;
  }
  if (!(total > 0) || !(scale > 0)) return null;
  const w = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    w[c] = u[c]! * u[c]!;
    if (!(w[c]! > SECULAR_MIN_WEIGHT * total)) return null;
    if (c > 0 && !(lambda[c - 1]! - lambda[c]! > SECULAR_MIN_GAP * scale)) return null;
  }
  // per root: its origin pole index and τ = μ − λ_origin
  const origin = new Int32Array(n - 1);
  const tau = new Float64Array(n - 1);
  const delta = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) {
    const gap = lambda[i]! - lambda[i + 1]!;
    // the sign of g at the midpoint tells which half holds the root (g increases with μ)
    const mid = lambda[i + 1]! + gap / 2;
    let gm = 0;
    for (let c = 0; c < n; c++) gm += w[c]! / (lambda[c]! - mid);
    const o = gm > 0 ? i + 1 : i;
    origin[i] = o;
    for (let c = 0; c < n; c++) delta[c] = lambda[c]! - lambda[o]!;
    delta[o] = 0;
    // bracket in τ: (δ_{i+1}, δ_i) cut to the half that holds the root
    let lo = o === i + 1 ? 0 : delta[i + 1]! / 2;
    let hi = o === i + 1 ? delta[i]! / 2 : 0;
    if (gm === 0) {
      // the midpoint is the root
      lo = hi = mid - lambda[o]!;
    }
    let t = (lo + hi) / 2;
    for (let iter = 0; iter < 200 && hi > lo; iter++) {
      // ψ1: poles above the interval (positive terms), ψ2: poles below (negative terms)
      let p1 = 0;
      let d1 = 0;
      let p2 = 0;
      let d2 = 0;
      for (let c = 0; c <= i; c++) {
        const inv = 1 / (delta[c]! - t);
        const term = w[c]! * inv;
        p1 += term;
        d1 += term * inv;
      }
      for (let c = i + 1; c < n; c++) {
        const inv = 1 / (delta[c]! - t);
        const term = w[c]! * inv;
        p2 += term;
        d2 += term * inv;
      }
      const g = p1 + p2;
      if (g === 0) {
        lo = hi = t;
        break;
      }
      if (g > 0) hi = t;
      else lo = t;
      // two-pole model: ψ1 ≈ C1 + P/(δ_i − x), ψ2 ≈ C2 + R/(δ_{i+1} − x), matched in value and slope at t
      const ai = delta[i]! - t;
      const bi = delta[i + 1]! - t;
      const P = d1 * ai * ai;
      const R = d2 * bi * bi;
      const C = p1 - P / ai + (p2 - R / bi);
      // C + P/(ai − s) + R/(bi − s) = 0 for the step s: C(ai − s)(bi − s) + P(bi − s) + R(ai − s) = 0
      const qa = C;
      const qb = -(C * (ai + bi) + P + R);
      const qc = C * ai * bi + P * bi + R * ai;
      let step = NaN;
      if (qa === 0) step = -qc / qb;
      else {
        const disc = qb * qb - 4 * qa * qc;
        if (disc >= 0) {
          const qq = -0.5 * (qb + (qb >= 0 ? 1 : -1) * Math.sqrt(disc));
          const s1 = qq / qa;
          const s2 = qc / qq;
          // the step that lands between the two poles (bi < s < ai)
          step = s1 > bi && s1 < ai ? s1 : s2;
        }
      }
      let next = t + step;
      if (!(next > lo && next < hi)) next = (lo + hi) / 2;
      const done =
        Math.abs(next - t) <= 2 * EPS * Math.abs(next) || hi - lo <= 2 * EPS * Math.max(Math.abs(lo), Math.abs(hi));
      t = next;
      if (done) break;
    }
    tau[i] = t;
    roots[i] = lambda[o]! + t;
  }
  // Löwner: û_c² ∝ Π_i (μ_i − λ_c) / Π_{c'≠c} (λ_c' − λ_c), as positive ratios paired by interval
  const uh = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    let prod = 1;
    for (let i = 0; i < n - 1; i++) {
      const o = origin[i]!;
      // μ_i − λ_c = τ_i − (λ_c − λ_o)
      const num = tau[i]! - (c === o ? 0 : lambda[c]! - lambda[o]!);
      const den = i < c ? lambda[i]! - lambda[c]! : lambda[i + 1]! - lambda[c]!;
      prod *= num / den;
    }
    uh[c] = (u[c]! < 0 ? -1 : 1) * Math.sqrt(Math.max(prod, 0));
  }
  for (let i = 0; i < n - 1; i++) {
    const o = origin[i]!;
    for (let c = 0; c < n; c++) {
      // λ_c − μ_i = (λ_c − λ_o) − τ_i
      const d = (c === o ? 0 : lambda[c]! - lambda[o]!) - tau[i]!;
      y[i * n + c] = uh[c]! / d;
    }
  }
  return { n, roots, y };
}
