// Numeric kernel: indexed reads carry `!` where the index is < length by the loop bounds (the arrays
// are sized from the same counts: rows, columns, components, side columns) or by the shapes checked on entry.
import { LOWRANK_VARIANTS, type LowrankVariant, type VariantBasis } from './basis.js';
import type { FoldVariant } from './folds.js';
import {
  addJitter,
  backSubstitute,
  choleskyInPlace,
  choleskyLeadingInPlace,
  choleskySolve,
  forwardSubstitute,
} from '../../linalg/smallDense.js';

/**
 * The one Bayesian ridge of `lowrank`, on the design [1, s_1 … s_L, v_1 … v_r]: the intercept slot,
 * L side columns (the task's own side rows, see `side.ts`; L = 0 without side information) and the
 * components of a basis. Its normal equations at the measured columns, penalties, solution and, for
 * leave-one-task-out selection (`select.ts`), the held-out row's squared error over the unmeasured
 * columns of every rank at once — in closed form from inner products, so one fold costs O(|K|·M·r)
 * and not O(N). Side columns only add slots: with L = 0 every step does exactly the arithmetic of a
 * ridge on the components alone.
 */

/** The hyper-parameters `lowrank` chooses. */
export interface LowrankHyper {
  variant: LowrankVariant;
  /** Number of components (0 = offset/intercept only). */
  k: number;
  /** Multiplier of the Bayesian ridge penalty α·σ̄²·M/s_c² (0 = plain least squares); σ̄² = ‖R‖²/(M·N). */
  alpha: number;
  /**
   * Side matrices in the ridge (see `side.ts`): the multiplier α_s of their prior's penalty
   * α_s·σ̄²/τ_l². Absent: the side matrices are not used (always absent for a model fitted without side).
   */
  side?: number;
}

/** The grid searched by leave-one-task-out. */
export interface LowrankGrid {
  variants: readonly LowrankVariant[];
  ranks: readonly number[];
  alphas: readonly number[];
}

/** Default search grid: every centring, ranks 0…10 then sparser up to `maxRank`, α ∈ {0, 0.1, …, 1000} (×3 steps). */
export function defaultGrid(maxRank: number, variants: readonly LowrankVariant[] = LOWRANK_VARIANTS): LowrankGrid {
  const ranks: number[] = [];
  for (const k of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100])
    if (k <= maxRank) ranks.push(k);
  return { variants, ranks, alphas: [0, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000] };
}

/**
 * Normal equations of the design X = [1, S_K, V_K] (intercept slot 0, side slots 1 … L, then the r
 * components) against c_K: F = XᵀX ((1+L+r)², row-major) and h = Xᵀc. With side columns the
 * coefficients are solved around the side scales' prior mean (`prior`): h and ccK are then those of
 * c_K − X·g0 (see `shiftNormal` in `side.ts`).
 */
export interface KnownNormal {
  r: number;
  /** Number of side columns L (0: no side information). */
  sides: number;
  f: Float64Array;
  h: Float64Array;
  /** c_Kᵀc_K. */
  ccK: number;
  /** V_K, |K|×r row-major (kept for the K-restricted residuals). */
  vk: Float64Array;
  /** S_K, |K|×L row-major: the task's side values at the measured columns (empty when L = 0). */
  sk: Float64Array;
  cK: Float64Array;
  /** The side scales' prior: mean g0 by design slot (1+L+r; zero off the side slots) and variance τ_l² per side. */
  prior?: { shift: Float64Array; variance: Float64Array };
}

/**
 * Builds the normal equations from V_K (|K|×r row-major), c_K and, with side columns, S_K (|K|×L
 * row-major). Without side columns the accumulation is that of the design [1, V_K] alone.
 */
export function knownNormal(
  vk: Float64Array,
  cK: Float64Array,
  r: number,
  sk: Float64Array = new Float64Array(0),
  sides = 0,
): KnownNormal {
  const kk = cK.length;
  const L = sides;
  const p = r + L + 1;
  const f = new Float64Array(p * p);
  const h = new Float64Array(p);
  let ccK = 0;
  f[0] = kk;
  for (let t = 0; t < kk; t++) {
    const c = cK[t]!;
    ccK += c * c;
    h[0]! += c;
    for (let l = 0; l < L; l++) {
      const s = sk[t * L + l]!;
      f[l + 1]! += s;
      h[l + 1]! += s * c;
      for (let b = 0; b <= l; b++) f[(l + 1) * p + b + 1]! += s * sk[t * L + b]!;
    }
    for (let a = 0; a < r; a++) {
      const va = vk[t * r + a]!;
      const row = (a + 1 + L) * p;
      f[a + 1 + L]! += va;
      h[a + 1 + L]! += va * c;
      for (let l = 0; l < L; l++) f[row + l + 1]! += va * sk[t * L + l]!;
      for (let b = 0; b <= a; b++) f[row + b + 1 + L]! += va * vk[t * r + b]!;
    }
  }
  for (let x = 1; x < p; x++) {
    f[x * p] = f[x]!;
    for (let y = 1; y < x; y++) f[y * p + x] = f[x * p + y]!;
  }
  return { r, sides: L, f, h, ccK, vk, sk, cK };
}

/** A solved ridge fit: coefficients on the chosen design columns and the Cholesky factor of XᵀX + P. */
export interface RidgeSolution {
  /** Design column indices into [1, v_1 … v_r] (0 = intercept). */
  index: Int32Array;
  beta: Float64Array;
  /** Cholesky factor of XᵀX + P (lower triangle, p×p). */
  factor: Float64Array;
  /** Diagonal added to XᵀX (penalty + jitter), when known: gives ‖c_K − Xβ‖² in O(p). */
  added?: Float64Array;
}

/** The per-entry variance σ̄² = ‖R‖²_F/(M·N) of the centred train block that scales the ridge penalty. */
export function penaltyScale(basis: VariantBasis, n: number): number {
  return Math.max(basis.energy, 0) / (basis.rows * n);
}

/**
 * The penalty on design slot `slot` (see `KnownNormal`): α·σ̄²·M/s_c² on component c (prior variance
 * τ²_c = s_c²/M, the spread of the train rows' own scores, against the block's per-entry variance σ̄²),
 * α_s·σ̄²/τ_l² on side column l (τ_l² the spread of the side scale over the train rows), 0 on the
 * intercept.
 */
export function slotPenalty(
  normal: KnownNormal,
  basis: VariantBasis,
  scale: number,
  slot: number,
  alpha: number,
  alphaSide: number,
): number {
  const L = normal.sides;
  if (slot > L) {
    const s = basis.s[slot - 1 - L]!;
    return alpha > 0 ? (alpha * scale * basis.rows) / (s * s) : 0;
  }
  return slot > 0 ? alphaSide * (scale / normal.prior!.variance[slot - 1]!) : 0;
}

/**
 * The penalised normal matrix of the design slots `index` and its right-hand side: XᵀX + P with P the
 * `slotPenalty` of each slot, plus a scale-aware 1e-14 jitter so exactly determined systems stay
 * solvable in floating point.
 */
export function penalisedSystem(
  normal: KnownNormal,
  basis: VariantBasis,
  n: number,
  index: Int32Array,
  alpha: number,
  alphaSide = 0,
): { a: Float64Array; h: Float64Array; added: Float64Array } {
  const p = index.length;
  const q = normal.r + normal.sides + 1;
  const a = new Float64Array(p * p);
  const h = new Float64Array(p);
  const added = new Float64Array(p);
  const scale = penaltyScale(basis, n);
  for (let x = 0; x < p; x++) {
    for (let y = 0; y < p; y++) a[x * p + y] = normal.f[index[x]! * q + index[y]!]!;
    h[x] = normal.h[index[x]!]!;
    added[x] = slotPenalty(normal, basis, scale, index[x]!, alpha, alphaSide);
    a[x * p + x]! += added[x]!;
  }
  addJitter(a, p, added);
  return { a, h, added };
}

/** Design slots [0?, 1 … L, L+1 … L+k] of the intercept (0), the L side columns and the first k components. */
export function designIndex(k: number, intercept: boolean, sides = 0): Int32Array {
  const first = intercept ? 0 : 1;
  return Int32Array.from({ length: k + sides + 1 - first }, (_, x) => x + first);
}

/** One setting of the ridge: rank k, the components' α, the intercept, the side columns' α_s (default 0). */
export interface RidgeSetting {
  k: number;
  alpha: number;
  intercept: boolean;
  alphaSide?: number;
}

/**
 * Solves the Bayesian ridge for (intercept?, the side columns, first k components, α, α_s) — see
 * `penalisedSystem`; with side columns β includes the prior mean (γ = γ̄ + δ). Returns null when the
 * system is singular (α = 0 with fewer measured entries than unknowns).
 */
export function solveRidge(
  normal: KnownNormal,
  basis: VariantBasis,
  n: number,
  setting: RidgeSetting,
): RidgeSolution | null {
  const { k, alpha, intercept, alphaSide = 0 } = setting;
  const index = designIndex(k, intercept, normal.sides);
  const p = index.length;
  if (p === 0) return { index, beta: new Float64Array(0), factor: new Float64Array(0) };
  if (alpha === 0 && p > normal.cK.length) return null;
  const { a, h } = penalisedSystem(normal, basis, n, index, alpha, alphaSide);
  if (!choleskyInPlace(a, p)) return null;
  choleskySolve(a, h, p);
  if (normal.prior) for (let x = 0; x < p; x++) h[x]! += normal.prior.shift[index[x]!]!;
  return { index, beta: h, factor: a };
}

/**
 * Writes the design row of measured column t into `x`, one entry per slot of `index`: 1 for the
 * intercept, the side values S_K[t] (|K|×`sides` row-major) and the components V_K[t] (`width` per
 * column).
 */
export function designRow(
  x: Float64Array,
  index: Int32Array,
  t: number,
  vk: Float64Array,
  width: number,
  sk: Float64Array,
  sides: number,
): void {
  for (let a = 0; a < index.length; a++) {
    const ix = index[a]!;
    x[a] = ix === 0 ? 1 : ix <= sides ? sk[t * sides + ix - 1]! : vk[t * width + ix - 1 - sides]!;
  }
}

/**
 * A solution of `solveRidge` with a smaller α where needed: the given setting, else (singular: α = 0
 * with more unknowns than measured entries) the same with α = max(α, 1).
 */
export function solveRidgeOrShrink(
  normal: KnownNormal,
  basis: VariantBasis,
  n: number,
  setting: RidgeSetting,
): RidgeSolution {
  return (
    solveRidge(normal, basis, n, setting) ??
    solveRidge(normal, basis, n, { ...setting, alpha: Math.max(setting.alpha, 1) })!
  );
}

/**
 * The all-N part of a held-out row's side-aware system over the full design [1, s_1 … s_L, v_1 … v_r]:
 * G = XᵀX ((1+L+r)², G_00 = N and the component block the identity), h = Xᵀc and cᵀc, around the
 * side scales' prior mean like the `KnownNormal` (absent without side columns: a fold's own N-column
 * products then serve).
 */
export interface AllNormal {
  g: Float64Array;
  h: Float64Array;
  cc: number;
}

/** Scratch arrays of `nestedSquaredErrors`, grown on demand and reused across calls. */
export interface NestedWorkspace {
  a: Float64Array;
  added: Float64Array;
  z: Float64Array;
  beta: Float64Array;
}

/** Empty scratch arrays for `nestedSquaredErrors` (grown on first use). */
export function nestedWorkspace(): NestedWorkspace {
  return { a: new Float64Array(0), added: new Float64Array(0), z: new Float64Array(0), beta: new Float64Array(0) };
}

/**
 * A held-out row's ridge at one set of measured columns, as `nestedSquaredErrors` scores it: the
 * known normal equations, the fold's centring (its basis and N-column products), N, whether the
 * design has the intercept, and with side columns their `AllNormal`.
 */
export interface FoldRidge {
  normal: KnownNormal;
  fv: FoldVariant;
  n: number;
  intercept: boolean;
  all?: AllNormal;
}

/**
 * For one fold, centring, α and α_s: the held-out row's squared error over the unmeasured columns (its
 * error over all N columns minus the one over the measured columns, both in closed form) of every
 * rank in `ranks` (NaN where the solution does not exist), written to `out`. The rank-k system is the
 * leading block of the widest one (the side slots come before the components), so one penalised
 * system, one leading-block Cholesky and one forward substitution in `work` serve every rank, then
 * one back substitution per rank. The all-N products are the fold's own (`fv`: ‖c‖², Σc, Vᵀc, with
 * XᵀX = diag(N, 1 … 1)) or, with side columns, `fold.all`.
 */
export function nestedSquaredErrors(
  fold: FoldRidge,
  ranks: readonly number[],
  penalty: { alpha: number; alphaSide?: number },
  work: NestedWorkspace,
  out: Float64Array,
): void {
  const { normal, fv, n, intercept, all } = fold;
  const { alpha, alphaSide = 0 } = penalty;
  const basis = fv.basis;
  const L = normal.sides;
  let kmax = 0;
  for (const k of ranks) kmax = Math.max(kmax, k);
  kmax = Math.min(basis.r, kmax);
  const first = intercept ? 0 : 1;
  const p = kmax + L + (intercept ? 1 : 0);
  const q = normal.r + L + 1;
  if (work.a.length < p * p) work.a = new Float64Array(p * p);
  if (work.added.length < p) {
    work.added = new Float64Array(p);
    work.z = new Float64Array(p);
    work.beta = new Float64Array(p);
  }
  const { a, added, z, beta } = work;
  // penalisedSystem for the design [1?, s_1 … s_L, v_1 … v_kmax]
  const scale = penaltyScale(basis, n);
  const f = normal.f;
  for (let x = 0; x < p; x++) {
    const ix = x + first;
    for (let y = 0; y < p; y++) a[x * p + y] = f[ix * q + y + first]!;
    z[x] = normal.h[ix]!;
    added[x] = slotPenalty(normal, basis, scale, ix, alpha, alphaSide);
    a[x * p + x]! += added[x]!;
  }
  addJitter(a, p, added);
  const good = p > 0 && !(alpha === 0 && normal.cK.length === 0) ? choleskyLeadingInPlace(a, p) : 0;
  forwardSubstitute(a, z, good, p);
  for (let ki = 0; ki < ranks.length; ki++) {
    const k = ranks[ki]!;
    const pk = k + L + (intercept ? 1 : 0);
    if (k > basis.r) {
      out[ki] = NaN;
      continue;
    }
    if (pk === 0) {
      out[ki] = fv.cc - Math.max(normal.ccK, 0);
      continue;
    }
    if (pk > good || (alpha === 0 && pk > normal.cK.length)) {
      out[ki] = NaN;
      continue;
    }
    for (let i = 0; i < pk; i++) beta[i] = z[i]!;
    backSubstitute(a, beta, pk, p);
    // the error at the measured columns with the added diagonal, then the one over all N columns
    let known = normal.ccK;
    for (let x = 0; x < pk; x++) known -= beta[x]! * (normal.h[x + first]! + added[x]! * beta[x]!);
    known = Math.max(known, 0);
    out[ki] =
      (all ? sideAllSquaredError(all, beta, pk, first, L, n) : foldAllSquaredError(fv, beta, pk, first, n)) - known;
  }
}

/** ‖c − X·β‖² over all N columns of a fold's held-out row without side columns (XᵀX = diag(N, 1 … 1)). */
function foldAllSquaredError(fv: FoldVariant, beta: Float64Array, pk: number, first: number, n: number): number {
  let all = fv.cc;
  for (let x = 0; x < pk; x++) {
    const ix = x + first;
    const b = beta[x]!;
    if (ix === 0) all += -2 * b * fv.sc + b * b * n;
    else all += -2 * b * fv.t[ix - 1]! + b * b;
  }
  return all;
}

/** ‖c − X·β‖² over all N columns from a side-aware `AllNormal` (design slots first … first + pk − 1). */
function sideAllSquaredError(
  all: AllNormal,
  beta: Float64Array,
  pk: number,
  first: number,
  sides: number,
  n: number,
): number {
  const q = Math.sqrt(all.g.length);
  let e = all.cc;
  for (let x = 0; x < pk; x++) {
    const ix = x + first;
    const b = beta[x]!;
    const diag = ix === 0 ? n : ix > sides ? 1 : all.g[ix * q + ix]!;
    e += -2 * b * all.h[ix]! + b * b * diag;
  }
  // the off-diagonal entries of XᵀX are those of the side rows (intercept and components are orthogonal)
  for (let x = 0; x < pk; x++) {
    const ix = x + first;
    if (ix === 0 || ix > sides) continue;
    let row = 0;
    for (let y = 0; y < pk; y++) {
      const iy = y + first;
      if (iy !== ix && (iy === 0 || iy > sides || iy < ix)) row += all.g[ix * q + iy]! * beta[y]!;
    }
    e += 2 * beta[x]! * row;
  }
  return e;
}
