/**
 * Shared pieces of the faithful (Surprise-style) methods: the stacked "trainset" of train rows plus
 * one partially known test row, read in place from the train matrix (no per-fit dataset building; a
 * masked block lists each train row's observed columns once), its global mean, the SGD epochs over it
 * and prediction clipping. Surprise visits ratings user by user in insertion order:
 * the train rows row-major, then the test row's known columns ascending. The helpers keep that order.
 * Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
 */
import type { ForgettingMatrix, Values } from '../../matrix/ForgettingMatrix.js';
import type { KnownEntries } from '../types.js';
import { ForgetscopeError } from '../../util/errors.js';

/** The rating scale of the released code: Surprise clips every estimate to it. */
export const RATING_CLIP = 100;

/** Clips an estimate to [−100, 100] (Surprise's `predict(..., clip=True)`). */
export function clipRating(x: number): number {
  return x < -RATING_CLIP ? -RATING_CLIP : x > RATING_CLIP ? RATING_CLIP : x;
}

/** Train rows as the SGD loops read them. */
export interface TrainBlock {
  m: number;
  n: number;
  values: Values;
  /** Row-major mask, null when complete. */
  mask: Uint8Array | null;
  /** numpy-style pairwise sum of the observed train values and their count (computed once). */
  sum: number;
  count: number;
  /** 1 where some train row observes the column (Surprise "knows" the item). */
  columnSeen: Uint8Array;
}

/** Wraps the train matrix once per `fit` (a single pass for the mean; no copy of the values). */
export function trainBlock(train: ForgettingMatrix, method: string): TrainBlock {
  if (train.rows === 0) throw new ForgetscopeError('input', `${method} needs at least one train row`);
  const m = train.rows;
  const n = train.cols;
  const mask = train.mask;
  let sum: number;
  let count: number;
  const columnSeen = new Uint8Array(n);
  if (!mask) {
    sum = pairwiseSum(train.values, 0, m * n);
    count = m * n;
    columnSeen.fill(1);
  } else {
    const observed: number[] = [];
    for (let k = 0; k < m * n; k++) {
      if (mask[k] === 1) {
        observed.push(train.values[k]!);
        columnSeen[k % n] = 1;
      }
    }
    sum = pairwiseSum(Float64Array.from(observed), 0, observed.length);
    count = observed.length;
  }
  return { m, n, values: train.values, mask, sum, count, columnSeen };
}

/**
 * Visits the ratings of row `u` of the stacked trainset, in order: columns `cols[t]`, ascending, with the
 * values `row[cols[t]]` (the row's values by column).
 */
export type RowSweep = (u: number, cols: Int32Array, row: ArrayLike<number>) => void;

const observedColumnsCache = new WeakMap<TrainBlock, Int32Array[]>();

/** The observed columns of each train row, ascending (one shared 0..N−1 when complete); once per block. */
function observedColumns(block: TrainBlock): Int32Array[] {
  let lists = observedColumnsCache.get(block);
  if (lists === undefined) {
    const { m, n, mask } = block;
    if (mask === null) lists = new Array<Int32Array>(m).fill(Int32Array.from({ length: n }, (_, j) => j));
    else
      lists = Array.from({ length: m }, (_, u) => {
        const cols: number[] = [];
        for (let j = 0; j < n; j++) if (mask[u * n + j] === 1) cols.push(j);
        return Int32Array.from(cols);
      });
    observedColumnsCache.set(block, lists);
  }
  return lists;
}

/**
 * Runs `epochs` SGD epochs over the stacked trainset in Surprise's order: each train row u < m (its
 * observed columns), then the test row (u = m, its known columns); `sweepRow` updates the parameters
 * rating by rating.
 */
export function sgdEpochs(block: TrainBlock, known: KnownEntries, epochs: number, sweepRow: RowSweep): void {
  const { m, n, values } = block;
  const cols = observedColumns(block);
  const rows = Array.from({ length: m }, (_, u) => values.subarray(u * n, (u + 1) * n));
  const knownRow = new Float64Array(n);
  known.columns.forEach((c, q) => {
    knownRow[c] = known.values[q]!;
  });
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let u = 0; u < m; u++) sweepRow(u, cols[u]!, rows[u]!);
    sweepRow(m, known.columns, knownRow);
  }
}

/**
 * The global mean of the stacked trainset (train ratings then the known entries), as Surprise's
 * `np.mean` over all ratings. The train part is summed pairwise once per fit; adding the few known
 * values afterwards differs from numpy's single pairwise pass by rounding only (~1e-16 relative).
 */
export function globalMean(block: TrainBlock, known: KnownEntries): number {
  let s = block.sum;
  for (let q = 0; q < known.values.length; q++) s += known.values[q]!;
  return s / (block.count + known.values.length);
}

/** Checks the known entries of a row: distinct ascending in-range columns and finite values. */
export function checkKnown(known: KnownEntries, n: number, method: string): void {
  const { columns, values } = known;
  if (columns.length !== values.length) {
    throw new ForgetscopeError('usage', `${method}: ${columns.length} known columns but ${values.length} values`);
  }
  for (let q = 0; q < columns.length; q++) {
    const c = columns[q]!;
    if (!Number.isInteger(c) || c < 0 || c >= n)
      throw new ForgetscopeError('usage', `${method}: known column ${c} is out of range 0..${n - 1}`);
    if (q > 0 && c <= columns[q - 1]!)
      throw new ForgetscopeError('usage', `${method}: known columns must be distinct and ascending`);
    if (!Number.isFinite(values[q]!))
      throw new ForgetscopeError('usage', `${method}: known value at column ${c} is not finite`);
  }
}

/**
 * numpy's pairwise summation (`pairwise_sum` in its add reduction: blocks of 128 with eight
 * accumulators, halving above that), so global means agree with numpy's to the last bit.
 */
export function pairwiseSum(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let k = 0; k < n; k++) res += a[start + k]!;
    return res;
  }
  if (n <= 128) {
    const r = [
      a[start]!,
      a[start + 1]!,
      a[start + 2]!,
      a[start + 3]!,
      a[start + 4]!,
      a[start + 5]!,
      a[start + 6]!,
      a[start + 7]!,
    ];
    let k = 8;
    for (; k < n - (n % 8); k += 8) {
      for (let q = 0; q < 8; q++) r[q]! += a[start + k + q]!;
    }
    let res = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; k < n; k++) res += a[start + k]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}
