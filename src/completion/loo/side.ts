// Numeric kernel: indexed reads carry `!` where the index is < length by the loop bounds (the arrays
// are sized from the same counts: rows, columns, components, side columns) or by the shapes checked on entry.
import type { Backend } from '../../linalg/types.js';
import type { SideMatrices, SideRow } from '../../matrix/sideMatrices.js';
import { ForgetscopeError } from '../../util/errors.js';
import { taskKnown, type FullBasis, type LowrankVariant, type TrainStats } from './basis.js';
import { foldKnown, type GatheredColumns, type Fold } from './folds.js';
import { knownNormal, type AllNormal, type KnownNormal } from './ridge.js';

/**
 * Side matrices in `lowrank`'s ridge: the side columns of the one ridge of `ridge.ts` (with no side
 * matrices it has none, and is the ridge on the components alone). A new task's row is modelled as
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

/** h ← h − G·g0 and cᵀc ← cᵀc − 2·g0ᵀh + g0ᵀG·g0 (a system around g0; p×p row-major G, h updated in place): returns the new cᵀc. */
function shiftSystem(g: Float64Array, h: Float64Array, cc: number, shift: Float64Array, p: number): number {
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

/** Puts the side prior on a `KnownNormal` (the system is then around the prior mean, see `KnownNormal.prior`). */
function withPrior(normal: KnownNormal, prior: { mean: Float64Array; variance: Float64Array }): KnownNormal {
  const q = normal.r + normal.sides + 1;
  const shift = new Float64Array(q);
  for (let l = 0; l < normal.sides; l++) shift[1 + l] = prior.mean[l]!;
  const ccK = shiftSystem(normal.f, normal.h, normal.ccK, shift, q);
  return { ...normal, ccK, prior: { shift, variance: prior.variance } };
}

/**
 * The side columns of one leave-one-out fold (held-out row `fold.heldOut`) at the measured columns:
 * the known normal equations of [1, s_1 … s_L, v_1 … v_r] against the held-out row's raw values, and
 * its `AllNormal` over all N columns from the cross products Z·S_lᵀ (no pass over N), both around the
 * prior of the side scales without the held-out row.
 */
export function foldSideNormal(
  stats: TrainStats,
  side: SideStats,
  fold: Fold,
  variant: LowrankVariant,
  columns: Int32Array,
  block?: GatheredColumns,
): { normal: KnownNormal; all: AllNormal } {
  const { m, n } = stats;
  const fv = fold.variants.get(variant)!;
  const L = side.count;
  const hRow = fold.heldOut;
  const prior = sidePrior(side, m, hRow);
  const all = foldAllNormal(stats, side, fold, variant);
  const known = foldKnown(stats, fold, fv, columns, block);
  const sk = sideAt(side.data, hRow, n, columns);
  rawHeldOut(side, hRow, known.cK, sk);
  const normal = withPrior(knownNormal(known.vk, known.cK, fv.basis.r, sk, L), prior);
  const q = all.h.length;
  all.cc = shiftSystem(all.g, all.h, all.cc, normal.prior!.shift, q);
  return { normal, all };
}

/**
 * With residualised side statistics, turns a held-out row's residualised values c' (at columns whose
 * side values are `sk`, |K|×L) into its raw values c = c' + Σ_l γ_l,h·s_l,h in place, so that
 * leave-one-task-out scores the raw row, as a new task's raw entries are.
 */
export function rawHeldOut(side: SideStats, row: number, c: Float64Array, sk: Float64Array): void {
  if (!side.residualized) return;
  const L = side.count;
  for (let t = 0; t < c.length; t++) for (let l = 0; l < L; l++) c[t]! += side.slope[row * L + l]! * sk[t * L + l]!;
}

/** The side values of task `row` at `columns` (|K|×L row-major). */
export function sideAt(
  data: readonly (Float64Array | Float32Array)[],
  row: number,
  n: number,
  columns: Int32Array,
): Float64Array {
  const L = data.length;
  const sk = new Float64Array(columns.length * L);
  for (let t = 0; t < columns.length; t++) for (let l = 0; l < L; l++) sk[t * L + l] = data[l]![row * n + columns[t]!]!;
  return sk;
}

/** A fold's `AllNormal` of the held-out row against its raw values (before the prior shift). */
function foldAllNormal(stats: TrainStats, side: SideStats, fold: Fold, variant: LowrankVariant): AllNormal {
  const { m, n, rowMeans } = stats;
  const fv = fold.variants.get(variant)!;
  const basis = fv.basis;
  const r = basis.r;
  const L = side.count;
  const hRow = fold.heldOut;
  const q = 1 + L + r;
  const mp = fold.rows.length;
  const centred = variant !== 'uncentered';
  const g = new Float64Array(q * q);
  const h = new Float64Array(q);
  g[0] = n;
  h[0] = fv.sc;
  const rs = new Float64Array(mp);
  for (let l = 0; l < L; l++) {
    const P = side.cross[l]!;
    const sl = 1 + l;
    let adj = 0;
    if (centred) {
      for (let b = 0; b < mp; b++) adj += P[fold.rows[b]! * m + hRow]!;
      adj /= mp;
    }
    const sumH = side.sum[hRow * L + l]!;
    g[sl] = sumH;
    g[sl * q] = sumH;
    for (let o = 0; o < L; o++) g[sl * q + 1 + o] = side.ss[(hRow * L + l) * L + o]!;
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
      g[sl * q + 1 + L + c] = x;
      g[(1 + L + c) * q + sl] = x;
    }
  }
  for (let c = 0; c < r; c++) {
    g[(1 + L + c) * q + 1 + L + c] = 1;
    h[1 + L + c] = fv.t[c]!;
  }
  let cc = fv.cc;
  if (side.residualized) {
    // the held-out row's raw values: c = c' + Σ_l γ_l,h·s_l,h (a shift by −γ_h along the side slots)
    const back = new Float64Array(q);
    for (let l = 0; l < L; l++) back[1 + l] = -side.slope[hRow * L + l]!;
    cc = shiftSystem(g, h, cc, back, q);
  }
  return { g, h, cc };
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

/**
 * The known normal equations of a new task with side columns at its measured columns, on the first k
 * components of the full-train basis (prior from all train rows).
 */
export function taskSideNormal(
  basis: FullBasis,
  side: SideStats,
  sideRow: readonly (Float64Array | Float32Array)[],
  known: { columns: Int32Array; values: Float64Array },
  k: number,
): KnownNormal {
  const n = basis.offset.length;
  const m = side.slope.length / side.count;
  const { columns, values } = known;
  const { vk, cK, r } = taskKnown(basis, n, columns, values, k);
  return withPrior(knownNormal(vk, cK, r, sideAt(sideRow, 0, n, columns), side.count), sidePrior(side, m, -1));
}
