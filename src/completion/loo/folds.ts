// Numeric kernel: indexed reads carry `!` where the index is < length by the loop bounds (the arrays
// are sized from the same counts: rows, columns, components, side columns) or by the shapes checked on entry.
import { foldBasis, foldEigen } from './downdate.js';
import type { LowrankVariant, TrainStats, VariantBasis } from './basis.js';

/**
 * The leave-one-task-out folds every closed-form completion method shares: which train rows are held
 * out (`foldRows`), each fold's bases of the other rows derived from the one Gram matrix without a
 * pass over N (`prepareFolds`), and a held-out row's measured entries at a set of columns
 * (`foldKnown`, from the values `gatherColumns` reads once).
 */

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
export function prepareFolds(
  stats: TrainStats,
  variants: readonly LowrankVariant[],
  maxRank: number,
  maxFolds: number,
): Fold[] {
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
 * The train values at a set of columns, gathered once column by column (|K|×M, row t = column
 * `columns[t]` over all train rows) so that every fold and centring reads them contiguously
 * instead of striding through the M×N block.
 */
export interface GatheredColumns {
  columns: Int32Array;
  /** data[t·M + i] = Z[i][columns[t]]. */
  data: Float64Array;
}

/** Gathers the train block's values at `columns` (see `GatheredColumns`). */
export function gatherColumns(stats: TrainStats, columns: Int32Array): GatheredColumns {
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
  block?: GatheredColumns,
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
