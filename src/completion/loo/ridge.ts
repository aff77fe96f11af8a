import { LOWRANK_VARIANTS, type LowrankVariant, type TrainStats, type VariantBasis } from './basis.js';
import { gatherColumns, foldKnown, type Fold, type FoldVariant } from './folds.js';
import {
  addJitter,
  backSubstitute,
  choleskyInPlace,
  choleskyLeadingInPlace,
  choleskySolve,
  forwardSubstitute,
} from '../../linalg/smallDense.js';

/**
 * The Bayesian ridge of `lowrank` on the components of a basis, and its leave-one-task-out model
 * selection: for each fold (see `folds.ts`), the held-out row's measured entries at exactly the
 * columns the new task has and the resulting squared error over the unmeasured columns — in closed
 * form from inner products, so one fold costs O(|K|·M·r) and not O(N).
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
 * Normal equations of the design X = [1, V_K] (intercept slot 0, then the r components) against
 * c_K: F = XᵀX ((r+1)², row-major) and h = Xᵀc.
 */
export interface KnownNormal {
  r: number;
  f: Float64Array;
  h: Float64Array;
  /** c_Kᵀc_K. */
  ccK: number;
  /** V_K, |K|×r row-major (kept for the K-restricted residuals). */
  vk: Float64Array;
  cK: Float64Array;
}

/** Builds the normal equations from V_K (|K|×r row-major) and c_K. */
export function knownNormal(vk: Float64Array, cK: Float64Array, r: number): KnownNormal {
  const kk = cK.length;
  const p = r + 1;
  const f = new Float64Array(p * p);
  const h = new Float64Array(p);
  let ccK = 0;
  f[0] = kk;
  for (let t = 0; t < kk; t++) {
    const c = cK[t]!;
    ccK += c * c;
    h[0]! += c;
    for (let a = 0; a < r; a++) {
      const va = vk[t * r + a]!;
      f[a + 1]! += va;
      h[a + 1]! += va * c;
      for (let b = 0; b <= a; b++) f[(a + 1) * p + b + 1]! += va * vk[t * r + b]!;
    }
  }
  for (let a = 0; a < r; a++) {
    f[(a + 1) * p] = f[a + 1]!;
    for (let b = 0; b < a; b++) f[(b + 1) * p + a + 1] = f[(a + 1) * p + b + 1]!;
  }
  return { r, f, h, ccK, vk, cK };
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
 * The penalised normal matrix of the design [1?, v_1 … v_p] and its right-hand side: XᵀX + P with
 * P_cc = α·σ̄²·M/s_c² on component c (prior variance τ²_c = s_c²/M, the spread of the train rows' own
 * scores, against the block's per-entry variance σ̄²; the intercept is not penalised), plus a
 * scale-aware 1e-14 jitter so exactly determined systems stay solvable in floating point.
 */
export function penalisedSystem(
  normal: KnownNormal,
  basis: VariantBasis,
  n: number,
  index: Int32Array,
  alpha: number,
): { a: Float64Array; h: Float64Array; added: Float64Array } {
  const p = index.length;
  const q = normal.r + 1;
  const a = new Float64Array(p * p);
  const h = new Float64Array(p);
  const added = new Float64Array(p);
  const scale = penaltyScale(basis, n);
  for (let x = 0; x < p; x++) {
    for (let y = 0; y < p; y++) a[x * p + y] = normal.f[index[x]! * q + index[y]!]!;
    h[x] = normal.h[index[x]!]!;
    const c = index[x]!;
    if (c > 0 && alpha > 0) added[x] = (alpha * scale * basis.rows) / (basis.s[c - 1]! * basis.s[c - 1]!);
    a[x * p + x]! += added[x]!;
  }
  addJitter(a, p, added);
  return { a, h, added };
}

/** Design column indices [0?, 1 … k] of the intercept (0) and the first k components. */
export function designIndex(k: number, intercept: boolean): Int32Array {
  const index = new Int32Array(k + (intercept ? 1 : 0));
  let w = 0;
  if (intercept) index[w++] = 0;
  for (let c = 1; c <= k; c++) index[w++] = c;
  return index;
}

/**
 * Solves the Bayesian ridge for (intercept?, first k components, α) — see `penalisedSystem`.
 * Returns null when the system is singular (α = 0 with fewer measured entries than unknowns).
 */
export function solveRidge(
  normal: KnownNormal,
  basis: VariantBasis,
  n: number,
  k: number,
  alpha: number,
  intercept: boolean,
): RidgeSolution | null {
  const index = designIndex(k, intercept);
  const p = index.length;
  if (p === 0) return { index, beta: new Float64Array(0), factor: new Float64Array(0) };
  if (alpha === 0 && p > normal.cK.length) return null;
  const { a, h } = penalisedSystem(normal, basis, n, index, alpha);
  if (!choleskyInPlace(a, p)) return null;
  choleskySolve(a, h, p);
  return { index, beta: h, factor: a };
}

/** Scratch arrays of `nestedSquaredErrors`, grown on demand and reused across calls. */
interface NestedWorkspace {
  a: Float64Array;
  added: Float64Array;
  z: Float64Array;
  beta: Float64Array;
}

function nestedWorkspace(): NestedWorkspace {
  return { a: new Float64Array(0), added: new Float64Array(0), z: new Float64Array(0), beta: new Float64Array(0) };
}

/**
 * For one fold, centring and α: the held-out row's squared error over the unmeasured columns (its
 * error over all N columns minus the one over the measured columns, both in closed form) of every
 * rank in `ranks` (NaN where the solution does not exist), written to `out`. The rank-k system is the
 * leading block of the widest one, so one penalised system, one leading-block Cholesky and one forward
 * substitution in `work` serve every rank, then one back substitution per rank.
 */
export function nestedSquaredErrors(
  normal: KnownNormal,
  fv: FoldVariant,
  n: number,
  ranks: readonly number[],
  alpha: number,
  intercept: boolean,
  work: NestedWorkspace,
  out: Float64Array,
): void {
  const basis = fv.basis;
  let kmax = 0;
  for (const k of ranks) kmax = Math.max(kmax, k);
  kmax = Math.min(basis.r, kmax);
  const first = intercept ? 0 : 1;
  const p = kmax + (intercept ? 1 : 0);
  const q = normal.r + 1;
  if (work.a.length < p * p) work.a = new Float64Array(p * p);
  if (work.added.length < p) {
    work.added = new Float64Array(p);
    work.z = new Float64Array(p);
    work.beta = new Float64Array(p);
  }
  const { a, added, z, beta } = work;
  // penalisedSystem for the design [1?, v_1 … v_kmax]
  const scale = penaltyScale(basis, n);
  const f = normal.f;
  for (let x = 0; x < p; x++) {
    const ix = x + first;
    for (let y = 0; y < p; y++) a[x * p + y] = f[ix * q + y + first]!;
    z[x] = normal.h[ix]!;
    added[x] = ix > 0 && alpha > 0 ? (alpha * scale * basis.rows) / (basis.s[ix - 1]! * basis.s[ix - 1]!) : 0;
    a[x * p + x]! += added[x]!;
  }
  addJitter(a, p, added);
  const good = p > 0 && !(alpha === 0 && normal.cK.length === 0) ? choleskyLeadingInPlace(a, p) : 0;
  forwardSubstitute(a, z, good, p);
  for (let ki = 0; ki < ranks.length; ki++) {
    const k = ranks[ki]!;
    const pk = k + (intercept ? 1 : 0);
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
    // knownSquaredError with the added diagonal, then allSquaredError
    let known = normal.ccK;
    for (let x = 0; x < pk; x++) known -= beta[x]! * (normal.h[x + first]! + added[x]! * beta[x]!);
    known = Math.max(known, 0);
    let all = fv.cc;
    for (let x = 0; x < pk; x++) {
      const ix = x + first;
      const b = beta[x]!;
      if (ix === 0) all += -2 * b * fv.sc + b * b * n;
      else all += -2 * b * fv.t[ix - 1]! + b * b;
    }
    out[ki] = all - known;
  }
}

/** Result of model selection: the best hyper-parameters and their leave-one-out RMSE. */
export interface LowrankSelection {
  hyper: LowrankHyper;
  looRmse: number;
}

/**
 * Picks (variant, k, α) minimising the pooled leave-one-task-out RMSE over the unmeasured columns,
 * with every held-out train row measured at exactly `columns`. Deterministic; ties go to the
 * earlier variant, the smaller k, the smaller α.
 */
export function selectHyper(
  stats: TrainStats,
  folds: readonly Fold[],
  columns: Int32Array,
  grid: LowrankGrid,
): LowrankSelection {
  const n = stats.n;
  const nv = grid.variants.length;
  const nk = grid.ranks.length;
  const na = grid.alphas.length;
  const sse = new Float64Array(nv * nk * na);
  const feasible = new Uint8Array(nv * nk * na).fill(1);
  let cells = 0;
  const block = gatherColumns(stats, columns);
  const work = nestedWorkspace();
  const errors = new Float64Array(nk);
  for (const fold of folds) {
    cells += n - columns.length;
    grid.variants.forEach((variant, vi) => {
      const fv = fold.variants.get(variant)!;
      const { vk, cK } = foldKnown(stats, fold, fv, columns, block);
      const normal = knownNormal(vk, cK, fv.basis.r);
      grid.alphas.forEach((alpha, ai) => {
        nestedSquaredErrors(normal, fv, n, grid.ranks, alpha, variant === 'additive', work, errors);
        for (let ki = 0; ki < nk; ki++) {
          const cell = (vi * nk + ki) * na + ai;
          if (!feasible[cell]) continue;
          const e = errors[ki]!;
          if (Number.isNaN(e)) feasible[cell] = 0;
          else sse[cell]! += e;
        }
      });
    });
  }
  let best = -1;
  for (let cell = 0; cell < sse.length; cell++) {
    if (!feasible[cell]) continue;
    if (best < 0 || sse[cell]! < sse[best]! * (1 - 1e-12)) best = cell;
  }
  if (best < 0) return { hyper: { variant: grid.variants[0]!, k: 0, alpha: 1 }, looRmse: NaN };
  const ai = best % na;
  const ki = Math.floor(best / na) % nk;
  const vi = Math.floor(best / (na * nk));
  return {
    hyper: { variant: grid.variants[vi]!, k: grid.ranks[ki]!, alpha: grid.alphas[ai]! },
    looRmse: Math.sqrt(Math.max(sse[best]!, 0) / Math.max(cells, 1)),
  };
}
