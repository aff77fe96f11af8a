import type { Backend } from '../../linalg/types.js';
import type { SideMatrices, SideRow } from '../../matrix/sideMatrices.js';
import { ForgetscopeError } from '../../util/errors.js';
import type { FullBasis, LowrankVariant, TrainStats, VariantBasis } from './basis.js';
import { addComponents } from './basis.js';
import { foldKnown, type Fold } from './folds.js';
import { penaltyScale } from './ridge.js';
import { probeScale } from './intervals.js';
import {
  addJitter,
  backSubstitute,
  choleskyInPlace,
  choleskyLeadingInPlace,
  forwardSubstitute,
} from '../../linalg/smallDense.js';
import { conformalQuantile, probeConformalScale } from '../conformal.js';

/**
 * Side matrices in `lowrank`'s ridge. A new task's row is modelled as
 *   y_j = offset_j + a + Σ_l γ_l·s_lj + Σ_c w_c·v_cj,
 * with s_l the task's own side rows (known before any entry is measured) and γ_l a per-task scale of
 * each side row, learned from the probes like the component weights w. The offset and the components
 * v_c come from the train rows with their own side part removed (`residualizeTrain`), so that the
 * basis describes what the side rows do not explain. The prior of γ_l is the
 * spread of that scale over the train rows: mean γ̄_l and variance τ_l² of the per-row least-squares
 * slope of z_i on s_li (computed without the held-out row inside leave-one-task-out), so the penalty
 * is α_s·σ̄²/τ_l², in the same Bayesian units as the components' α·σ̄²·M/s_c². Whether side is used,
 * and α_s, are chosen with the rank, centring and α by the same leave-one-task-out search, in closed
 * form from inner products: Z·S_lᵀ (one M×M product per side matrix) gives every fold's Vᵀs and sᵀc
 * without another pass over N.
 */

/** The train rows' side statistics every fold derives from (one pass over the side matrices). */
export interface SideStats {
  names: readonly string[];
  /** Number of side matrices L. */
  count: number;
  /** Train side rows by name (M×N row-major each). */
  data: readonly (Float64Array | Float32Array)[];
  /** P_l = Z·S_lᵀ (M×M row-major): P_l[a·M + h] = z_a · s_l,h. */
  cross: readonly Float64Array[];
  /** s_l,hᵀ s_l',h per train row h (M·L·L). */
  ss: Float64Array;
  /** Σ_j s_l,hj per train row h (M·L). */
  sum: Float64Array;
  /** Per-row least-squares slope of z_h on s_l,h with an intercept (M·L), from the raw train rows. */
  slope: Float64Array;
  /**
   * True when these statistics describe the residualised train block Z' = Z − γ_h·S_h (see
   * `residualizeTrain`): folds then add γ_h·s_h back to the held-out row, so that leave-one-task-out
   * scores the raw row, as a new task's raw entries are.
   */
  residualized?: boolean;
}

/** Side prior multipliers searched (α_s; 1 = the train rows' own spread of the side scale). */
export const SIDE_ALPHAS: readonly number[] = [0.25, 1, 4];

/** Reads the side matrices of the train rows once: cross products with Z through the backend, sums, slopes. */
export async function sideStats(stats: TrainStats, side: SideMatrices, backend: Backend): Promise<SideStats> {
  const { m, n, z, rowMeans } = stats;
  const count = side.length;
  const ss = new Float64Array(m * count * count);
  const sum = new Float64Array(m * count);
  const slope = new Float64Array(m * count);
  const cross: Float64Array[] = [];
  for (const s of side) {
    if (s.rows !== m || s.cols !== n)
      throw new ForgetscopeError(
        'shape',
        `side matrix "${s.name}" is ${s.rows}×${s.cols} but the train rows are ${m}×${n}`,
      );
    cross.push(await backend.gemm(z, { rows: m, cols: n, data: s.data }, { transB: true }));
  }
  for (let h = 0; h < m; h++) {
    for (let l = 0; l < count; l++) {
      const a = side[l]!.data;
      let t = 0;
      for (let j = 0; j < n; j++) t += a[h * n + j]!;
      sum[h * count + l] = t;
      for (let q = 0; q <= l; q++) {
        const b = side[q]!.data;
        let d = 0;
        for (let j = 0; j < n; j++) d += a[h * n + j]! * b[h * n + j]!;
        ss[(h * count + l) * count + q] = d;
        ss[(h * count + q) * count + l] = d;
      }
      const mean = t / n;
      const varS = ss[(h * count + l) * count + l]! / n - mean * mean;
      const cov = cross[l]![h * m + h]! / n - rowMeans[h]! * mean;
      slope[h * count + l] = varS > 0 ? cov / varS : 0;
    }
  }
  return { names: side.map((s) => s.name), count, data: side.map((s) => s.data), cross, ss, sum, slope };
}

/**
 * The train block with each row's own side part removed, z'_h = z_h − Σ_l γ_l,h·s_l,h (γ the per-row
 * slopes of `side`): its basis then describes what the side rows do not, and the side term of the
 * ridge carries the task-specific pattern for a new task.
 */
export function residualizeTrain(stats: TrainStats, side: SideStats): Float64Array {
  const { m, n } = stats;
  const z = stats.z.data;
  const out = Float64Array.from(z);
  const L = side.count;
  for (let h = 0; h < m; h++) {
    for (let l = 0; l < L; l++) {
      const g = side.slope[h * L + l]!;
      const d = side.data[l]!;
      for (let j = 0; j < n; j++) out[h * n + j]! -= g * d[h * n + j]!;
    }
  }
  return out;
}

/** Prior mean and variance of each side scale over the train rows, leaving out row `skip` (−1: none). */
export function sidePrior(side: SideStats, m: number, skip: number): { mean: Float64Array; variance: Float64Array } {
  const L = side.count;
  const mean = new Float64Array(L);
  const variance = new Float64Array(L);
  const rows = skip >= 0 ? m - 1 : m;
  for (let l = 0; l < L; l++) {
    let s = 0;
    let s2 = 0;
    for (let h = 0; h < m; h++) {
      if (h === skip) continue;
      const g = side.slope[h * L + l]!;
      s += g;
      s2 += g * g;
    }
    const mu = s / rows;
    mean[l] = mu;
    variance[l] = Math.max(s2 / rows - mu * mu, 1e-6 * mu * mu, 1e-300);
  }
  return { mean, variance };
}

/**
 * The normal equations of the design [1?, s_1 … s_L, v_1 … v_r] over all N columns (`g`, `h`, `cc`)
 * and over the measured columns (`gk`, `hk`, `cck`), shifted by the prior mean of the side scales.
 */
export interface SideSystem {
  /** Design width p = intercept + L + r. */
  p: number;
  intercept: boolean;
  count: number;
  r: number;
  g: Float64Array;
  h: Float64Array;
  cc: number;
  gk: Float64Array;
  hk: Float64Array;
  cck: number;
  /** The prior mean shift g0 (length p; γ̄ at the side slots). */
  shift: Float64Array;
  /** Penalty per design slot for α = 1 and α_s = 1 (components α·…, sides α_s·…; intercept 0). */
  unitComponent: Float64Array;
  unitSide: Float64Array;
}

function shiftSystem(g: Float64Array, h: Float64Array, cc: number, shift: Float64Array, p: number): number {
  // h ← h − G·g0, cc ← cc − 2·g0ᵀh + g0ᵀG·g0 (h is updated in place; returns cc)
  const gg = new Float64Array(p);
  for (let a = 0; a < p; a++) {
    let x = 0;
    for (let b = 0; b < p; b++) x += g[a * p + b]! * shift[b]!;
    gg[a] = x;
  }
  let out = cc;
  for (let a = 0; a < p; a++) out += -2 * shift[a]! * h[a]! + shift[a]! * gg[a]!;
  for (let a = 0; a < p; a++) h[a] = h[a]! - gg[a]!;
  return out;
}

function unitPenalties(
  basis: VariantBasis,
  n: number,
  intercept: boolean,
  count: number,
  variance: Float64Array,
): { comp: Float64Array; side: Float64Array } {
  const ic = intercept ? 1 : 0;
  const p = ic + count + basis.r;
  const comp = new Float64Array(p);
  const side = new Float64Array(p);
  const scale = penaltyScale(basis, n);
  for (let l = 0; l < count; l++) side[ic + l] = scale / variance[l]!;
  for (let c = 0; c < basis.r; c++) comp[ic + count + c] = (scale * basis.rows) / (basis.s[c]! * basis.s[c]!);
  return { comp, side };
}

/** The side system of one leave-one-out fold (held-out row `fold.heldOut`) at the measured columns. */
export function foldSideSystem(
  stats: TrainStats,
  side: SideStats,
  fold: Fold,
  variant: LowrankVariant,
  columns: Int32Array,
): SideSystem {
  const { m, n, rowMeans } = stats;
  const fv = fold.variants.get(variant)!;
  const basis = fv.basis;
  const r = basis.r;
  const L = side.count;
  const hRow = fold.heldOut;
  const intercept = variant === 'additive';
  const ic = intercept ? 1 : 0;
  const p = ic + L + r;
  const mp = fold.rows.length;
  const centred = variant !== 'uncentered';
  const g = new Float64Array(p * p);
  const h = new Float64Array(p);
  if (intercept) {
    g[0] = n;
    h[0] = fv.sc;
  }
  const rs = new Float64Array(mp);
  for (let l = 0; l < L; l++) {
    const P = side.cross[l]!;
    const sl = ic + l;
    let adj = 0;
    if (centred) {
      for (let b = 0; b < mp; b++) adj += P[fold.rows[b]! * m + hRow]!;
      adj /= mp;
    }
    const sumH = side.sum[hRow * L + l]!;
    if (intercept) {
      g[sl] = sumH;
      g[sl * p] = sumH;
    }
    for (let q = 0; q < L; q++) g[sl * p + ic + q] = side.ss[(hRow * L + l) * L + q]!;
    h[sl] = P[hRow * m + hRow]! - adj;
    for (let a = 0; a < mp; a++) {
      let x = P[fold.rows[a]! * m + hRow]! - adj;
      if (variant === 'additive') x -= (rowMeans[fold.rows[a]!]! - fold.grand) * sumH;
      rs[a] = x;
    }
    for (let c = 0; c < r; c++) {
      let x = 0;
      for (let a = 0; a < mp; a++) x += basis.u[a * r + c]! * rs[a]!;
      x /= basis.s[c]!;
      g[sl * p + ic + L + c] = x;
      g[(ic + L + c) * p + sl] = x;
    }
  }
  for (let c = 0; c < r; c++) {
    g[(ic + L + c) * p + ic + L + c] = 1;
    h[ic + L + c] = fv.t[c]!;
  }
  const known = foldKnown(stats, fold, fv, columns);
  const { gk, hk, cck } = knownPart(known.vk, known.cK, columns, side.data, hRow, n, intercept, L, r);
  let cc0 = fv.cc;
  let cck0 = cck;
  if (side.residualized) {
    // the held-out row's raw values: c = c' + Σ_l γ_l,h·s_l,h (a shift by −γ_h along the side slots)
    const back = new Float64Array(p);
    for (let l = 0; l < L; l++) back[ic + l] = -side.slope[hRow * L + l]!;
    cc0 = shiftSystem(g, h, cc0, back, p);
    cck0 = shiftSystem(gk, hk, cck0, back, p);
  }
  const prior = sidePrior(side, m, hRow);
  const shift = new Float64Array(p);
  for (let l = 0; l < L; l++) shift[ic + l] = prior.mean[l]!;
  const cc = shiftSystem(g, h, cc0, shift, p);
  const cck2 = shiftSystem(gk, hk, cck0, shift, p);
  const pen = unitPenalties(basis, n, intercept, L, prior.variance);
  return { p, intercept, count: L, r, g, h, cc, gk, hk, cck: cck2, shift, unitComponent: pen.comp, unitSide: pen.side };
}

/** Normal equations at the measured columns from V_K (|K|×r), c_K and the side rows of task `row`. */
function knownPart(
  vk: Float64Array,
  cK: Float64Array,
  columns: Int32Array,
  sideData: readonly (Float64Array | Float32Array)[],
  row: number,
  n: number,
  intercept: boolean,
  L: number,
  r: number,
): { gk: Float64Array; hk: Float64Array; cck: number } {
  const ic = intercept ? 1 : 0;
  const p = ic + L + r;
  const gk = new Float64Array(p * p);
  const hk = new Float64Array(p);
  let cck = 0;
  const x = new Float64Array(p);
  for (let t = 0; t < columns.length; t++) {
    const j = columns[t]!;
    if (intercept) x[0] = 1;
    for (let l = 0; l < L; l++) x[ic + l] = sideData[l]![row * n + j]!;
    for (let c = 0; c < r; c++) x[ic + L + c] = vk[t * r + c]!;
    const y = cK[t]!;
    cck += y * y;
    for (let a = 0; a < p; a++) {
      hk[a]! += x[a]! * y;
      for (let b = 0; b <= a; b++) gk[a * p + b]! += x[a]! * x[b]!;
    }
  }
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) gk[b * p + a] = gk[a * p + b]!;
  return { gk, hk, cck };
}

/** The penalised known system's leading block of size `q` (for rank k: q = intercept + L + k). */
function penalised(
  sys: SideSystem,
  q: number,
  alpha: number,
  alphaSide: number,
): { a: Float64Array; added: Float64Array } {
  const p = sys.p;
  const a = new Float64Array(q * q);
  const added = new Float64Array(q);
  for (let x = 0; x < q; x++) {
    for (let y = 0; y < q; y++) a[x * q + y] = sys.gk[x * p + y]!;
    added[x] = alpha * sys.unitComponent[x]! + alphaSide * sys.unitSide[x]!;
    a[x * q + x]! += added[x]!;
  }
  addJitter(a, q, added);
  return { a, added };
}

/** A solved side-aware ridge: coefficients δ (around the prior mean) on the leading q design slots, and its factor. */
export interface SideSolution {
  q: number;
  /** Coefficients on [1?, s…, v_1 … v_k] including the prior mean (γ = γ̄ + δ). */
  beta: Float64Array;
  /** Cholesky factor of the penalised system (lower triangle, q×q). */
  factor: Float64Array;
}

/** Solves the side-aware ridge for rank k; null when singular (α = 0 with more unknowns than measured entries). */
export function solveSide(
  sys: SideSystem,
  k: number,
  alpha: number,
  alphaSide: number,
  measured: number,
): SideSolution | null {
  const q = (sys.intercept ? 1 : 0) + sys.count + Math.min(k, sys.r);
  if (alpha === 0 && q > measured) return null;
  const { a } = penalised(sys, q, alpha, alphaSide);
  if (!choleskyInPlace(a, q)) return null;
  const z = sys.hk.slice(0, q);
  forwardSubstitute(a, z, q);
  backSubstitute(a, z, q);
  for (let x = 0; x < q; x++) z[x]! += sys.shift[x]!;
  return { q, beta: z, factor: a };
}

/**
 * Squared error over the unmeasured columns of the held-out row for every rank in `ranks` (NaN where
 * infeasible): one Cholesky factor of the widest system, then a back substitution per rank (the
 * rank-k system is the leading block because the side slots come before the components).
 */
export function sideFoldErrors(
  sys: SideSystem,
  ranks: readonly number[],
  alpha: number,
  alphaSide: number,
  measured: number,
): Float64Array {
  const out = new Float64Array(ranks.length).fill(NaN);
  const ic = sys.intercept ? 1 : 0;
  const base = ic + sys.count;
  const kmax = Math.min(sys.r, Math.max(0, ...ranks));
  const p = base + kmax;
  const { a } = penalised(sys, p, alpha, alphaSide);
  const good = choleskyLeadingInPlace(a, p);
  const z = sys.hk.slice(0, p);
  forwardSubstitute(a, z, good, p);
  const P = sys.p;
  ranks.forEach((k, ki) => {
    if (k > sys.r) return;
    const q = base + k;
    if (q > good || (alpha === 0 && q > measured)) return;
    const beta = z.slice(0, q);
    backSubstitute(a, beta, q, p);
    // (all-N error) − (measured error), both quadratic forms in δ
    let e = sys.cc - sys.cck;
    for (let x = 0; x < q; x++) {
      const bx = beta[x]!;
      e -= 2 * bx * (sys.h[x]! - sys.hk[x]!);
      let row = 0;
      for (let y = 0; y < q; y++) row += (sys.g[x * P + y]! - sys.gk[x * P + y]!) * beta[y]!;
      e += bx * row;
    }
    out[ki] = e;
  });
  return out;
}

/** Checks a new task's side row against the side matrices a model was fitted with; returns them in order. */
export function sideValuesOf(
  row: SideRow | undefined,
  names: readonly string[],
  n: number,
): (Float64Array | Float32Array)[] {
  if (!row)
    throw new ForgetscopeError(
      'usage',
      `this model was fitted with side matrices (${names.join(', ')}): predictRow needs the new task's side row (known.side)`,
    );
  return names.map((name) => {
    const v = row[name];
    if (!v)
      throw new ForgetscopeError(
        'usage',
        `known.side has no row for side matrix "${name}" (fitted with ${names.join(', ')})`,
      );
    if (v.length !== n)
      throw new ForgetscopeError('shape', `known.side.${name} has ${v.length} values for ${n} columns`);
    return v;
  });
}

/** The full-basis system of a new task at its measured columns (prior from all train rows). */
export function taskSideSystem(
  basis: FullBasis,
  n: number,
  side: SideStats,
  m: number,
  sideRow: readonly (Float64Array | Float32Array)[],
  columns: Int32Array,
  values: Float64Array,
  k: number,
): SideSystem {
  const intercept = basis.variant === 'additive';
  const ic = intercept ? 1 : 0;
  const L = side.count;
  const r = Math.min(k, basis.r);
  const p = ic + L + r;
  const vk = new Float64Array(columns.length * r);
  const cK = new Float64Array(columns.length);
  for (let t = 0; t < columns.length; t++) {
    const j = columns[t]!;
    cK[t] = values[t]! - basis.offset[j]!;
    for (let c = 0; c < r; c++) vk[t * r + c] = basis.v[c * n + j]!;
  }
  const data = sideRow.map((s) => s);
  // knownPart reads side values at row·n + j: pass the task's rows as row 0.
  const { gk, hk, cck } = knownPart(vk, cK, columns, data, 0, n, intercept, L, r);
  const prior = sidePrior(side, m, -1);
  const shift = new Float64Array(p);
  for (let l = 0; l < L; l++) shift[ic + l] = prior.mean[l]!;
  const cck2 = shiftSystem(gk, hk, cck, shift, p);
  const truncated: VariantBasis = { ...basis, r };
  const pen = unitPenalties(truncated, n, intercept, L, prior.variance);
  return {
    p,
    intercept,
    count: L,
    r,
    g: new Float64Array(0),
    h: new Float64Array(0),
    cc: NaN,
    gk,
    hk,
    cck: cck2,
    shift,
    unitComponent: pen.comp,
    unitSide: pen.side,
  };
}

/** The design row x_j = [1?, s_1j … s_Lj, v_1j … v_qj] of column j (written into `x`). */
function designRow(
  x: Float64Array,
  q: number,
  intercept: boolean,
  sideAt: (l: number) => number,
  count: number,
  compAt: (c: number) => number,
): void {
  const ic = intercept ? 1 : 0;
  if (intercept) x[0] = 1;
  for (let l = 0; l < count; l++) x[ic + l] = sideAt(l);
  for (let c = 0; ic + count + c < q; c++) x[ic + count + c] = compAt(c);
}

/** Best side-aware setting by leave-one-task-out (same folds and cells as `selectHyper`). */
export function selectSideHyper(
  stats: TrainStats,
  side: SideStats,
  folds: readonly Fold[],
  columns: Int32Array,
  grid: { variants: readonly LowrankVariant[]; ranks: readonly number[]; alphas: readonly number[] },
  sideAlphas: readonly number[] = SIDE_ALPHAS,
): { hyper: { variant: LowrankVariant; k: number; alpha: number; side: number }; looRmse: number } | null {
  const n = stats.n;
  const nv = grid.variants.length;
  const nk = grid.ranks.length;
  const na = grid.alphas.length;
  const ns = sideAlphas.length;
  const sse = new Float64Array(nv * nk * na * ns);
  const feasible = new Uint8Array(sse.length).fill(1);
  let cells = 0;
  for (const fold of folds) {
    cells += n - columns.length;
    grid.variants.forEach((variant, vi) => {
      const sys = foldSideSystem(stats, side, fold, variant, columns);
      grid.alphas.forEach((alpha, ai) => {
        sideAlphas.forEach((alphaSide, si) => {
          const errs = sideFoldErrors(sys, grid.ranks, alpha, alphaSide, columns.length);
          for (let ki = 0; ki < nk; ki++) {
            const cell = ((vi * nk + ki) * na + ai) * ns + si;
            if (!feasible[cell]) continue;
            if (Number.isNaN(errs[ki]!)) feasible[cell] = 0;
            else sse[cell]! += errs[ki]!;
          }
        });
      });
    });
  }
  let best = -1;
  for (let cell = 0; cell < sse.length; cell++) {
    if (!feasible[cell]) continue;
    if (best < 0 || sse[cell]! < sse[best]! * (1 - 1e-12)) best = cell;
  }
  if (best < 0) return null;
  const si = best % ns;
  const ai = Math.floor(best / ns) % na;
  const ki = Math.floor(best / (ns * na)) % nk;
  const vi = Math.floor(best / (ns * na * nk));
  return {
    hyper: { variant: grid.variants[vi]!, k: grid.ranks[ki]!, alpha: grid.alphas[ai]!, side: sideAlphas[si]! },
    looRmse: Math.sqrt(Math.max(sse[best]!, 0) / Math.max(cells, 1)),
  };
}

/** `probeScale` (how hard this row is) of a side-aware fit: its residual at the measured columns from the side system. */
export function rowScale(sys: SideSystem, sol: SideSolution, measured: number, scale: number): number {
  const q = sol.q;
  const p = sys.p;
  const d = new Float64Array(q);
  for (let x = 0; x < q; x++) d[x] = sol.beta[x]! - sys.shift[x]!;
  let r2 = sys.cck;
  for (let x = 0; x < q; x++) {
    r2 -= 2 * d[x]! * sys.hk[x]!;
    let row = 0;
    for (let y = 0; y < q; y++) row += sys.gk[x * p + y]! * d[y]!;
    r2 += d[x]! * row;
  }
  return probeScale(r2, measured, q, scale);
}

function sdOf(
  sol: SideSolution,
  x: Float64Array,
  scratch: Float64Array,
  scale: number,
  energy: number,
  rows: number,
): number {
  scratch.set(x.subarray(0, sol.q));
  forwardSubstitute(sol.factor, scratch, sol.q);
  let param = 0;
  for (let t = 0; t < sol.q; t++) param += scratch[t]! * scratch[t]!;
  return Math.sqrt(scale * param + Math.max(energy, 0) / rows + 1e-300 + 1e-24 * scale);
}

/**
 * The interval scale κ of a side-aware setting: the `level` conformal quantile of |error|/sd over
 * the held-out train rows at the calibration columns not measured (as `calibrateScale`).
 */
export function calibrateSideScale(
  stats: TrainStats,
  side: SideStats,
  folds: readonly Fold[],
  columns: Int32Array,
  hyper: { variant: LowrankVariant; k: number; alpha: number; side: number },
  level: number,
  calibration: Int32Array,
): number {
  const n = stats.n;
  const measured = new Set(columns);
  const probe = Int32Array.from(Array.from(calibration).filter((j) => !measured.has(j)));
  const ratios: number[] = [];
  for (const fold of folds) {
    const fv = fold.variants.get(hyper.variant)!;
    const sys = foldSideSystem(stats, side, fold, hyper.variant, columns);
    const sol = solveSide(sys, hyper.k, hyper.alpha, hyper.side, columns.length);
    if (!sol) continue;
    const at = foldKnown(stats, fold, fv, probe);
    const r = fv.basis.r;
    const x = new Float64Array(sol.q);
    const scratch = new Float64Array(sol.q);
    const scale = penaltyScale(fv.basis, n);
    const h = fold.heldOut;
    const rho = rowScale(sys, sol, columns.length, scale);
    for (let t = 0; t < probe.length; t++) {
      const j = probe[t]!;
      designRow(
        x,
        sol.q,
        sys.intercept,
        (l) => side.data[l]![h * n + j]!,
        side.count,
        (c) => at.vk[t * r + c]!,
      );
      let pred = 0;
      for (let a = 0; a < sol.q; a++) pred += sol.beta[a]! * x[a]!;
      let truth = at.cK[t]!;
      if (side.residualized)
        for (let l = 0; l < side.count; l++) truth += side.slope[h * side.count + l]! * side.data[l]![h * n + j]!;
      ratios.push(Math.abs(truth - pred) / (rho * sdOf(sol, x, scratch, scale, at.energy[t]!, fv.basis.rows)));
    }
  }
  return conformalQuantile(ratios, level);
}

/** Completes a new task's row with a side-aware setting on the full-train basis (prediction and optional interval). */
export function predictSideRow(
  basis: FullBasis,
  n: number,
  side: SideStats,
  m: number,
  sideRow: readonly (Float64Array | Float32Array)[],
  columns: Int32Array,
  values: Float64Array,
  hyper: { k: number; alpha: number; side: number },
  kappa: number,
  probeLevel = NaN,
): { prediction: Float64Array; lower?: Float64Array; upper?: Float64Array } {
  const sys = taskSideSystem(basis, n, side, m, sideRow, columns, values, hyper.k);
  const sol =
    solveSide(sys, hyper.k, hyper.alpha, hyper.side, columns.length) ??
    solveSide(sys, hyper.k, Math.max(hyper.alpha, 1), hyper.side, columns.length)!;
  const ic = sys.intercept ? 1 : 0;
  const L = side.count;
  const k = sol.q - ic - L;
  const prediction = new Float64Array(n);
  const v = basis.v;
  let a0 = 0;
  if (sys.intercept) a0 = sol.beta[0]!;
  for (let j = 0; j < n; j++) prediction[j] = basis.offset[j]! + a0;
  for (let l = 0; l < L; l++) {
    const g = sol.beta[ic + l]!;
    const s = sideRow[l]!;
    for (let j = 0; j < n; j++) prediction[j]! += g * s[j]!;
  }
  addComponents(prediction, v, n, sol.beta.subarray(ic + L, ic + L + k), k);
  if (!Number.isFinite(kappa)) return { prediction };
  const lower = new Float64Array(n);
  const upper = new Float64Array(n);
  const x = new Float64Array(sol.q);
  const scratch = new Float64Array(sol.q);
  const scale = penaltyScale(basis, n);
  const rho = rowScale(sys, sol, columns.length, scale);
  const own = Number.isNaN(probeLevel)
    ? NaN
    : sideProbeScale(sol, sys.intercept, sideRow, L, v, n, basis, columns, prediction, values, scale, probeLevel);
  const factor = Number.isFinite(own) ? own : kappa * rho;
  for (let j = 0; j < n; j++) {
    designRow(
      x,
      sol.q,
      sys.intercept,
      (l) => sideRow[l]![j]!,
      L,
      (c) => v[c * n + j]!,
    );
    const sd = factor * sdOf(sol, x, scratch, scale, basis.colEnergy[j]!, basis.rows);
    lower[j] = prediction[j]! - sd;
    upper[j] = prediction[j]! + sd;
  }
  return { prediction, lower, upper };
}

/**
 * The interval scale of a side-aware fit from the task's own measured columns (`probeConformalScale`):
 * leave-one-column-out residuals (y_t − ŷ_t)/(1 − h_t), h_t = ‖L⁻¹x_t‖² from the ridge factor (1 − h_t
 * floored at 0.05), over the interval's shape at those columns. NaN with too few measured columns.
 */
function sideProbeScale(
  sol: SideSolution,
  intercept: boolean,
  sideRow: readonly (Float64Array | Float32Array)[],
  count: number,
  v: Float64Array | Float32Array,
  n: number,
  basis: FullBasis,
  columns: Int32Array,
  prediction: Float64Array,
  values: Float64Array,
  scale: number,
  level: number,
): number {
  const kk = columns.length;
  const x = new Float64Array(sol.q);
  const z = new Float64Array(sol.q);
  const residual = new Float64Array(kk);
  const sd = new Float64Array(kk);
  for (let t = 0; t < kk; t++) {
    const j = columns[t]!;
    designRow(
      x,
      sol.q,
      intercept,
      (l) => sideRow[l]![j]!,
      count,
      (c) => v[c * n + j]!,
    );
    z.set(x);
    forwardSubstitute(sol.factor, z, sol.q);
    let h = 0;
    for (let a = 0; a < sol.q; a++) h += z[a]! * z[a]!;
    residual[t] = (values[t]! - prediction[j]!) / Math.max(1 - h, 0.05);
    sd[t] = sdOf(sol, x, z, scale, basis.colEnergy[j]!, basis.rows);
  }
  return probeConformalScale(residual, sd, level);
}
