// Numeric kernel: indexed reads carry `!` where the index is < length by the loop bounds (the arrays
// are sized from the same counts: rows, columns, components, side columns) or by the shapes checked on entry.
import type { TrainStats } from './basis.js';
import { gatherColumns, type Fold } from './folds.js';
import { nestedSquaredErrors, nestedWorkspace, type LowrankHyper } from './ridge.js';
import { foldNormal } from './select.js';
import type { SideStats } from './side.js';
import { choleskySolveInPlace } from '../../linalg/smallDense.js';

/**
 * Which of several candidate side matrices `lowrank` keeps, by leave-one-task-out (LOO). Greedy
 * forward selection from no side: at each step every candidate not yet kept is added in turn to the
 * kept set (its own residualised model, see `side.ts`), scored by the closed-form LOO search over
 * centring, rank, α and α_s, and the one with the lowest pooled LOO squared error enters — only if
 * it beats the current set by more than `z` standard errors of the paired per-fold differences
 * (mean of d_f = SSE_f(current) − SSE_f(candidate) > z·sd(d)/√F over the F held-out train rows).
 * Selection stops when no candidate passes; so a set is never kept over no side unless it helps by
 * more than the fold-to-fold noise of the gain.
 */

/** Standard errors by which a candidate must improve the LOO score to enter (the one-SE rule). */
export const SIDE_ENTRY_Z = 1;

/** One scored setting: its chosen hyper-parameters, pooled LOO RMSE and squared error per fold. */
export interface SideScore {
  hyper: LowrankHyper;
  looRmse: number;
  /** Squared error over the unmeasured columns per held-out train row (same folds for every set). */
  foldSse: Float64Array;
}

/** The outcome of a selection: the kept candidates (indices, in order of entry) and their score. */
export interface SideSelection {
  kept: number[];
  score: SideScore;
  /** Every step's best candidate and its paired gain (for reports): gain = mean d, se its standard error. */
  steps: { candidate: number; gain: number; se: number; entered: boolean }[];
}

/** Mean and standard error of the per-fold paired gain current − candidate (0 and Infinity for < 2 folds). */
export function pairedGain(current: Float64Array, candidate: Float64Array): { gain: number; se: number } {
  const f = current.length;
  if (f === 0) return { gain: 0, se: Infinity };
  let s = 0;
  for (let i = 0; i < f; i++) s += current[i]! - candidate[i]!;
  const mean = s / f;
  if (f < 2) return { gain: mean, se: Infinity };
  let v = 0;
  for (let i = 0; i < f; i++) {
    const d = current[i]! - candidate[i]! - mean;
    v += d * d;
  }
  return { gain: mean, se: Math.sqrt(v / (f - 1) / f) };
}

/**
 * Greedy forward selection over `count` candidates, as a generator: it yields each candidate set
 * (ascending indices) it needs scored and receives its score (null: infeasible), so that a caller may
 * build a set's model synchronously or asynchronously. Returns the kept set, starting from `none`
 * (the score without side).
 */
export function* greedySideSelection(
  count: number,
  none: SideScore,
  z: number = SIDE_ENTRY_Z,
): Generator<number[], SideSelection, SideScore | null> {
  const kept: number[] = [];
  let current = none;
  const steps: SideSelection['steps'] = [];
  while (kept.length < count) {
    let best: { candidate: number; score: SideScore; total: number } | null = null;
    for (let c = 0; c < count; c++) {
      if (kept.includes(c)) continue;
      const score = yield [...kept, c].sort((a, b) => a - b);
      if (!score) continue;
      let total = 0;
      for (const e of score.foldSse) total += e;
      if (!best || total < best.total * (1 - 1e-12)) best = { candidate: c, score, total };
    }
    if (!best) break;
    const { gain, se } = pairedGain(current.foldSse, best.score.foldSse);
    const entered = gain > 0 && gain > z * se;
    steps.push({ candidate: best.candidate, gain, se, entered });
    if (!entered) break;
    kept.push(best.candidate);
    current = best.score;
  }
  return { kept: [...kept].sort((a, b) => a - b), score: current, steps };
}

/** Runs `greedySideSelection` with a synchronous scorer. */
export function selectSideSet(
  count: number,
  none: SideScore,
  score: (set: readonly number[]) => SideScore | null,
  z: number = SIDE_ENTRY_Z,
): SideSelection {
  const gen = greedySideSelection(count, none, z);
  let step = gen.next();
  while (!step.done) step = gen.next(score(step.value));
  return step.value;
}

/** Runs `greedySideSelection` with an asynchronous scorer (models built on demand). */
export async function selectSideSetAsync(
  count: number,
  none: SideScore,
  score: (set: readonly number[]) => Promise<SideScore | null>,
  z: number = SIDE_ENTRY_Z,
): Promise<SideSelection> {
  const gen = greedySideSelection(count, none, z);
  let step = gen.next();
  while (!step.done) step = gen.next(await score(step.value));
  return step.value;
}

/**
 * Per-fold squared error over the unmeasured columns at one setting (the folds and cells of
 * `selectHyper`; with `side`, the side columns of `selectSideHyper` and `hyper.side` as α_s).
 */
export function foldSse(
  stats: TrainStats,
  folds: readonly Fold[],
  columns: Int32Array,
  hyper: LowrankHyper,
  side?: SideStats,
): Float64Array {
  const block = gatherColumns(stats, columns);
  const work = nestedWorkspace();
  const out = new Float64Array(1);
  return Float64Array.from(folds, (fold) => {
    const ridge = {
      ...foldNormal(stats, fold, hyper.variant, columns, block, side),
      fv: fold.variants.get(hyper.variant)!,
      n: stats.n,
      intercept: hyper.variant === 'additive',
    };
    nestedSquaredErrors(ridge, [hyper.k], { alpha: hyper.alpha, alphaSide: hyper.side ?? 0 }, work, out);
    return out[0]!;
  });
}

/** The statistics of a subset of the side matrices (views of `all`'s, in `set`'s order). */
export function subsetSideStats(all: SideStats, set: readonly number[]): SideStats {
  const L = all.count;
  const q = set.length;
  const m = all.sum.length / L;
  const ss = new Float64Array(m * q * q);
  const sum = new Float64Array(m * q);
  const slope = new Float64Array(m * q);
  for (let h = 0; h < m; h++) {
    set.forEach((l, a) => {
      sum[h * q + a] = all.sum[h * L + l]!;
      slope[h * q + a] = all.slope[h * L + l]!;
      set.forEach((l2, b) => {
        ss[(h * q + a) * q + b] = all.ss[(h * L + l) * L + l2]!;
      });
    });
  }
  return {
    names: set.map((l) => all.names[l]!),
    count: q,
    data: set.map((l) => all.data[l]!),
    cross: set.map((l) => all.cross[l]!),
    ss,
    sum,
    slope,
  };
}

/**
 * Each train row's joint least-squares coefficients of z_h on [1, s_1h … s_Lh] (M·L), from the
 * statistics `sideStats` gathered: with one side matrix, its slope; with several, the multiple
 * regression (correlated side rows are not counted twice). A relative ridge of 1e-10 on the centred
 * cross-product matrix keeps exactly collinear side rows solvable.
 */
export function jointSlopes(side: SideStats, stats: TrainStats): Float64Array {
  const L = side.count;
  const { m, n, rowMeans } = stats;
  const out = new Float64Array(m * L);
  const a = new Float64Array(L * L);
  const b = new Float64Array(L);
  for (let h = 0; h < m; h++) {
    let trace = 0;
    for (let l = 0; l < L; l++) {
      const ml = side.sum[h * L + l]! / n;
      for (let q = 0; q < L; q++) {
        const mq = side.sum[h * L + q]! / n;
        a[l * L + q] = side.ss[(h * L + l) * L + q]! - n * ml * mq;
      }
      trace += a[l * L + l]!;
      b[l] = side.cross[l]![h * m + h]! - n * rowMeans[h]! * ml;
    }
    const eps = 1e-10 * Math.max(trace / Math.max(L, 1), 1e-300);
    for (let l = 0; l < L; l++) a[l * L + l]! += eps;
    if (!choleskySolveInPlace(a, b, L)) continue;
    for (let l = 0; l < L; l++) out[h * L + l] = b[l]!;
  }
  return out;
}
