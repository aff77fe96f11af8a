import { foldBasis, foldEigen } from './lowrankDowndate.js';
import { LOWRANK_VARIANTS, type LowrankVariant, type TrainStats, type VariantBasis } from './lowrankBasis.js';
import { choleskyBackSolve, choleskyInPlace, choleskyLeadingInPlace } from '../../../linalg/smallDense.js';

/**
 * Leave-one-task-out model selection for `lowrank`: for each held-out train row, the basis of the
 * other rows (derived from the one Gram matrix, no pass over N), the held-out row's measured entries
 * at exactly the columns the new task has, and the resulting squared error over the unmeasured
 * columns — in closed form from inner products, so one fold costs O(|K|·M·r) and not O(N).
 */

/** The hyper-parameters `lowrank` chooses. */
export interface LowrankHyper {
  variant: LowrankVariant;
  /** Number of components (0 = offset/intercept only). */
  k: number;
  /** Multiplier of the Bayesian ridge penalty α·σ̄²·M/s_c² (0 = plain least squares); σ̄² = ‖R‖²/(M·N). */
  alpha: number;
  /**
   * Side matrices in the ridge (see `lowrankSide.ts`): the multiplier α_s of their prior's penalty
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
  for (const k of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100]) if (k <= maxRank) ranks.push(k);
  return { variants, ranks, alphas: [0, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000] };
}

/** One centring of one leave-one-out fold, with the held-out row's K-independent inner products. */
export interface FoldVariant {
  basis: VariantBasis;
  /** ‖c‖² with c = y − offset over all N columns. */
  cc: number;
  /** Σ_j c_j. */
  sc: number;
  /** Vᵀ·c (length r): the held-out row's scores on the fold's right singular vectors. */
  t: Float64Array;
}

/** One leave-one-out fold: the held-out train row and the bases of the others. */
export interface Fold {
  heldOut: number;
  rows: Int32Array;
  /** Grand mean of the fold's rows. */
  grand: number;
  variants: Map<LowrankVariant, FoldVariant>;
}

/** Up to `maxFolds` held-out rows, evenly spread over the train rows (all of them when M ≤ maxFolds). */
export function foldRows(m: number, maxFolds: number): Int32Array {
  if (m <= maxFolds) return Int32Array.from({ length: m }, (_, i) => i);
  return Int32Array.from({ length: maxFolds }, (_, f) => Math.floor(((f + 0.5) * m) / maxFolds));
}

/** Builds the leave-one-out folds (small eigenproblems from the Gram; O(M³) each, independent of N). */
export function prepareFolds(stats: TrainStats, variants: readonly LowrankVariant[], maxRank: number, maxFolds: number): Fold[] {
  const { m, n, gram, rowMeans } = stats;
  const folds: Fold[] = [];
  // one decomposition per centring; each fold's basis is a secular-equation downdate of it
  const fulls = new Map(variants.map((v) => [v, foldEigen(stats, v)] as const));
  for (const r of foldRows(m, maxFolds)) {
    const rows = Int32Array.from({ length: m - 1 }, (_, a) => (a < r ? a : a + 1));
    const mp = m - 1;
    let grand = 0;
    for (const i of rows) grand += rowMeans[i]!;
    grand /= mp;
    const gcol = new Float64Array(mp);
    const h = new Float64Array(mp);
    let gsum = 0;
    let hsum = 0;
    for (let a = 0; a < mp; a++) {
      gcol[a] = gram[rows[a]! * m + r]!;
      gsum += gcol[a]!;
      let s = 0;
      for (let b = 0; b < mp; b++) s += gram[rows[a]! * m + rows[b]!]!;
      h[a] = s / mp;
      hsum += h[a]!;
    }
    const out = new Map<LowrankVariant, FoldVariant>();
    for (const variant of variants) {
      const basis = foldBasis(stats, fulls.get(variant)!, rows, r, maxRank);
      let cc: number;
      let sc: number;
      const q = new Float64Array(mp);
      if (variant === 'uncentered') {
        cc = gram[r * m + r]!;
        sc = n * rowMeans[r]!;
        q.set(gcol);
      } else {
        cc = gram[r * m + r]! - (2 * gsum) / mp + hsum / mp;
        sc = n * (rowMeans[r]! - grand);
        for (let a = 0; a < mp; a++) q[a] = gcol[a]! - h[a]!;
        if (variant === 'additive') for (let a = 0; a < mp; a++) q[a] = q[a]! - rowMeans[rows[a]!]! * sc;
      }
      const t = new Float64Array(basis.r);
      for (let c = 0; c < basis.r; c++) {
        let x = 0;
        for (let a = 0; a < mp; a++) x += basis.u[a * basis.r + c]! * q[a]!;
        t[c] = x / basis.s[c]!;
      }
      out.set(variant, { basis, cc, sc, t });
    }
    folds.push({ heldOut: r, rows, grand, variants: out });
  }
  return folds;
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
  /** σ²_k: per-entry residual variance of the rank-k fit of the train block. */
  sigma2: number;
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
function penalisedSystem(
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
  addJitter(a, added, p);
  return { a, h, added };
}

/** Adds 1e-14 of the largest diagonal entry to the diagonal of the p×p system `a` (and to `added`). */
function addJitter(a: Float64Array, added: Float64Array, p: number): void {
  let diag = 0;
  for (let x = 0; x < p; x++) diag = Math.max(diag, a[x * p + x]!);
  for (let x = 0; x < p; x++) {
    a[x * p + x]! += diag * 1e-14;
    added[x]! += diag * 1e-14;
  }
}

function designIndex(k: number, intercept: boolean): Int32Array {
  const index = new Int32Array(k + (intercept ? 1 : 0));
  let w = 0;
  if (intercept) index[w++] = 0;
  for (let c = 1; c <= k; c++) index[w++] = c;
  return index;
}

/** σ²_k: per-entry residual variance of the rank-k fit of the train block (reported with each solution). */
function residualVariance(basis: VariantBasis, n: number, k: number): number {
  let tail = basis.energy;
  for (let c = 0; c < k; c++) tail -= basis.s[c]! * basis.s[c]!;
  return Math.max(tail, 0) / (basis.rows * n);
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
  const sigma2 = residualVariance(basis, n, k);
  if (p === 0) return { index, beta: new Float64Array(0), factor: new Float64Array(0), sigma2 };
  if (alpha === 0 && p > normal.cK.length) return null;
  const { a, h } = penalisedSystem(normal, basis, n, index, alpha);
  if (!choleskyInPlace(a, p)) return null;
  choleskyBackSolve(a, h, p);
  return { index, beta: h, factor: a, sigma2 };
}

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
    const sigma2 = residualVariance(basis, n, k);
    if (k > basis.r) return null;
    if (pk === 0) return { index: new Int32Array(0), beta: new Float64Array(0), factor: new Float64Array(0), sigma2 };
    if (pk > good || (alpha === 0 && pk > normal.cK.length)) return null;
    const beta = z.slice(0, pk);
    for (let i = pk - 1; i >= 0; i--) {
      let v = beta[i]!;
      for (let t = i + 1; t < pk; t++) v -= a[t * p + i]! * beta[t]!;
      beta[i] = v / a[i * p + i]!;
    }
    // No factor copy: selection only needs β (intervals re-solve the chosen setting with solveRidge).
    return { index: index.slice(0, pk), beta, factor: new Float64Array(0), sigma2, added: added.subarray(0, pk) };
  });
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
 * For one fold, centring and α: the held-out row's squared error over the unmeasured columns,
 * `allSquaredError − knownSquaredError`, of every rank in `ranks` (NaN where the solution does not
 * exist), written to `out`. The same operations in the same order as `solveRidgeNested` followed by
 * those two functions, so the same values to the bit, but without a solution object per rank: one
 * penalised system, one leading-block Cholesky and one forward substitution in `work`, then one back
 * substitution per rank.
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
  addJitter(a, added, p);
  const good = p > 0 && !(alpha === 0 && normal.cK.length === 0) ? choleskyLeadingInPlace(a, p) : 0;
  for (let i = 0; i < good; i++) {
    let v = z[i]!;
    for (let t = 0; t < i; t++) v -= a[i * p + t]! * z[t]!;
    z[i] = v / a[i * p + i]!;
  }
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
    for (let i = pk - 1; i >= 0; i--) {
      let v = beta[i]!;
      for (let t = i + 1; t < pk; t++) v -= a[t * p + i]! * beta[t]!;
      beta[i] = v / a[i * p + i]!;
    }
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

/** Squared error of a ridge solution over the measured columns: ‖c_K − X·β‖² (O(p) when the added diagonal is known, else O(p²)). */
export function knownSquaredError(normal: KnownNormal, sol: RidgeSolution): number {
  const q = normal.r + 1;
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
 * The train values at a set of columns, gathered once column by column (|K|×M, row t = column
 * `columns[t]` over all train rows) so that every fold and centring reads them contiguously
 * instead of striding through the M×N block.
 */
export interface ColumnBlock {
  columns: Int32Array;
  /** data[t·M + i] = Z[i][columns[t]]. */
  data: Float64Array;
}

/** Gathers the train block's values at `columns` (see `ColumnBlock`). */
export function gatherColumns(stats: TrainStats, columns: Int32Array): ColumnBlock {
  const { m, n } = stats;
  const z = stats.z.data;
  const kk = columns.length;
  const data = new Float64Array(kk * m);
  for (let i = 0; i < m; i++) {
    const base = i * n;
    for (let t = 0; t < kk; t++) data[t * m + i] = z[base + columns[t]!]!;
  }
  return { columns, data };
}

/**
 * The fold's V_K, c_K and per-column energies Σ_a R[a][j]² at the columns K (|K|×r), straight from
 * the train values (or from `block`, the same values gathered once by `gatherColumns`). With
 * `components`, only the first that many columns of V_K are computed (the rest stay 0).
 */
export function foldKnown(
  stats: TrainStats,
  fold: Fold,
  fv: FoldVariant,
  columns: Int32Array,
  block?: ColumnBlock,
  components?: number,
): { vk: Float64Array; cK: Float64Array; energy: Float64Array } {
  const { m } = stats;
  const { basis } = fv;
  const r = basis.r;
  const rc = Math.max(0, Math.min(r, components ?? r));
  const mp = fold.rows.length;
  const kk = columns.length;
  const zk = block && block.columns === columns ? block.data : gatherColumns(stats, columns).data;
  const vk = new Float64Array(kk * r);
  const cK = new Float64Array(kk);
  const energy = new Float64Array(kk);
  const centred = basis.variant !== 'uncentered';
  const additive = basis.variant === 'additive';
  const u = basis.u;
  const rows = fold.rows;
  const heldOut = fold.heldOut;
  const rowShift = new Float64Array(mp);
  if (additive) for (let a = 0; a < mp; a++) rowShift[a] = stats.rowMeans[rows[a]!]! - fold.grand;
  const acc = new Float64Array(r);
  for (let t = 0; t < kk; t++) {
    const j = columns[t]!;
    const col = t * m;
    // fold column mean = (M·mean − held-out value)/(M − 1)
    let off = 0;
    if (centred) off = (m * stats.colMeans[j]! - zk[col + heldOut]!) / mp;
    cK[t] = zk[col + heldOut]! - off;
    acc.fill(0);
    let e = 0;
    for (let a = 0; a < mp; a++) {
      let x = zk[col + rows[a]!]! - off;
      if (additive) x -= rowShift[a]!;
      e += x * x;
      const ua = a * r;
      for (let c = 0; c < rc; c++) acc[c]! += x * u[ua + c]!;
    }
    energy[t] = e;
    for (let c = 0; c < rc; c++) vk[t * r + c] = acc[c]! / basis.s[c]!;
  }
  return { vk, cK, energy };
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
export function selectHyper(stats: TrainStats, folds: readonly Fold[], columns: Int32Array, grid: LowrankGrid): LowrankSelection {
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
