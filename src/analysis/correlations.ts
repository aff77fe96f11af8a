/**
 * forgetscope's one correlation module: `correlate` (simple-statistics, for short samples),
 * `correlateTaskMetadata`, `correlateSimilarity`, and the typed-array `pearson`, `midranks`, `spearman`
 * that the large similarity correlation and the seed-method modules use.
 */
import { sampleCorrelation, sampleRankCorrelation } from 'simple-statistics';
import type { ForgettingMatrix, TaskMeta } from '../matrix/ForgettingMatrix.js';
import { midranks } from '../linalg/midranks.js';
import { ForgetscopeError } from '../util/errors.js';
import { itemAt } from '../util/checked.js';

export { midranks };

/** Pearson and Spearman correlation of two paired samples. */
export interface Correlation {
  /** Number of pairs used. */
  n: number;
  /** Pearson's r (NaN when n < 3 or a side is constant). */
  pearson: number;
  /** Spearman's ρ with midranks for ties (NaN when n < 3 or a side is constant). */
  spearman: number;
}

/** A correlation of per-task forgetting with one task metadata field. */
export interface MetadataCorrelation extends Correlation {
  /** The metadata key (`lr×steps` is the product of `lr` and `steps`). */
  key: string;
}

/** The derived key for the product of learning rate and steps. */
export const LR_TIMES_STEPS = 'lr×steps';

/**
 * Pearson and Spearman correlation of two equal-length samples through simple-statistics
 * (`sampleCorrelation`, `sampleRankCorrelation` — the latter gives ties their average rank, as
 * scipy's `spearmanr` does).
 * @example
 * correlate([1, 2, 3, 4], [1, 4, 9, 16]); // {n: 4, pearson: 0.984…, spearman: 1}
 */
export function correlate(x: ArrayLike<number>, y: ArrayLike<number>): Correlation {
  if (x.length !== y.length)
    throw new ForgetscopeError('shape', `correlate: lengths differ (${x.length} vs ${y.length})`);
  const xs = Array.from(x);
  const ys = Array.from(y);
  const n = xs.length;
  if (n < 3 || isConstant(xs) || isConstant(ys)) return { n, pearson: NaN, spearman: NaN };
  return { n, pearson: sampleCorrelation(xs, ys), spearman: sampleRankCorrelation(xs, ys) };
}

function isConstant(x: ArrayLike<number>): boolean {
  for (let k = 1; k < x.length; k++) if (x[k] !== x[0]) return false;
  return true;
}

/** Options of `correlateTaskMetadata`. */
export interface CorrelateTaskMetadataOptions {
  /**
   * Metadata keys to correlate with (numeric values; tasks lacking a numeric value are left out of
   * that key's pairs). Default: `lr`, `steps` and `lr×steps`, those present.
   */
  keys?: readonly string[];
}

/**
 * Correlates a per-task quantity (e.g. `summarizeTasks(z).mean`) with task metadata such as the
 * learning rate, the number of steps and their product (the fixture's README reports
 * Pearson 0.410 / Spearman 0.596 for lr×steps vs. a task's mean Z).
 * @example
 * correlateTaskMetadata(summarizeTasks(z).mean, z.taskMeta);
 * // [{key: 'lr', n: 37, pearson: …, spearman: …}, {key: 'steps', …}, {key: 'lr×steps', …}]
 */
export function correlateTaskMetadata(
  perTask: ArrayLike<number>,
  taskMeta: readonly TaskMeta[],
  options: CorrelateTaskMetadataOptions = {},
): MetadataCorrelation[] {
  if (perTask.length !== taskMeta.length) {
    throw new ForgetscopeError(
      'shape',
      `per-task values (${perTask.length}) and task metadata (${taskMeta.length}) differ in length`,
    );
  }
  const metaValue = (meta: TaskMeta, key: string): number | null => {
    if (key === LR_TIMES_STEPS && meta[LR_TIMES_STEPS] === undefined) {
      const lr = meta['lr'];
      const steps = meta['steps'];
      return typeof lr === 'number' && typeof steps === 'number' ? lr * steps : null;
    }
    const raw = meta[key];
    return typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
  };
  const keys =
    options.keys ??
    ['lr', 'steps', LR_TIMES_STEPS].filter((key) => taskMeta.some((meta) => metaValue(meta, key) !== null));
  return keys.map((key) => {
    const xs: number[] = [];
    const ys: number[] = [];
    taskMeta.forEach((meta, i) => {
      const x = metaValue(meta, key);
      const y = perTask[i];
      if (x !== null && y !== undefined && Number.isFinite(y)) {
        xs.push(x);
        ys.push(y);
      }
    });
    return { key, ...correlate(xs, ys) };
  });
}

/** Correlation of forgetting with a task–example similarity, pooled and per task. */
export interface SimilarityCorrelation {
  /** Over all observed cells together. */
  pooled: Correlation;
  /** Per task (row): Pearson r over its observed cells (NaN when undefined). */
  perTaskPearson: Float64Array;
  /** Per task (row): Spearman ρ over its observed cells. */
  perTaskSpearman: Float64Array;
  /** Mean of the defined per-task Pearson values. */
  meanPerTaskPearson: number;
  /** Mean of the defined per-task Spearman values. */
  meanPerTaskSpearman: number;
}

/**
 * Correlates forgetting Z with a task–example similarity S (same M×N shape, row-major; e.g.
 * embedding cosine or n-gram overlap), over the observed cells of Z whose S is finite. The paper
 * found |r| ≈ 0.04–0.23: similarity explains little of which examples are forgotten.
 * The typed-array `pearson` and `spearman` below are used here (NaN under three pairs, as in
 * `correlate`) because simple-statistics' rank correlation builds one small array per value, too
 * heavy for millions of cells; the test checks both against simple-statistics.
 * @example
 * correlateSimilarity(z, cosine).pooled; // {n: M·N, pearson: …, spearman: …}
 */
export function correlateSimilarity(
  matrix: ForgettingMatrix,
  similarity: Float64Array | Float32Array,
): SimilarityCorrelation {
  const { rows: m, cols: n, values: v, mask } = matrix;
  if (similarity.length !== m * n) {
    throw new ForgetscopeError('shape', `similarity has ${similarity.length} entries, expected ${m}×${n} = ${m * n}`);
  }
  const keep = (k: number) => (mask === null || mask[k] === 1) && Number.isFinite(itemAt(similarity, k));
  let count = 0;
  for (let k = 0; k < m * n; k++) if (keep(k)) count++;
  const zs = new Float64Array(count);
  const ss = new Float64Array(count);
  const rowOf = new Int32Array(m + 1);
  let t = 0;
  for (let i = 0; i < m; i++) {
    rowOf[i] = t;
    for (let j = 0; j < n; j++) {
      const k = i * n + j;
      if (!keep(k)) continue;
      zs[t] = itemAt(v, k);
      ss[t] = itemAt(similarity, k);
      t++;
    }
  }
  rowOf[m] = t;
  const perTaskPearson = new Float64Array(m);
  const perTaskSpearman = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const z = zs.subarray(itemAt(rowOf, i), itemAt(rowOf, i + 1));
    const s = ss.subarray(itemAt(rowOf, i), itemAt(rowOf, i + 1));
    perTaskPearson[i] = atLeastThree(z, s, pearson);
    perTaskSpearman[i] = atLeastThree(z, s, spearman);
  }
  return {
    pooled: { n: count, pearson: atLeastThree(zs, ss, pearson), spearman: atLeastThree(zs, ss, spearman) },
    perTaskPearson,
    perTaskSpearman,
    meanPerTaskPearson: meanDefined(perTaskPearson),
    meanPerTaskSpearman: meanDefined(perTaskSpearman),
  };
}

/** The rule of `correlate`: fewer than three pairs give NaN. */
function atLeastThree(x: Float64Array, y: Float64Array, r: (x: Float64Array, y: Float64Array) => number): number {
  return x.length < 3 ? NaN : r(x, y);
}

function meanDefined(x: Float64Array): number {
  let s = 0;
  let c = 0;
  for (const value of x) {
    if (Number.isFinite(value)) {
      s += value;
      c++;
    }
  }
  return c > 0 ? s / c : NaN;
}

/**
 * Pearson's r of two equal-length samples (two-pass, float64); NaN when n < 2 or a side is constant.
 * @example
 * pearson([1, 2, 3], [2, 4, 7]); // 0.993…
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n !== y.length) throw new ForgetscopeError('shape', `pearson: lengths differ (${n} vs ${y.length})`);
  if (n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let k = 0; k < n; k++) {
    mx += itemAt(x, k);
    my += itemAt(y, k);
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let k = 0; k < n; k++) {
    const dx = itemAt(x, k) - mx;
    const dy = itemAt(y, k) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/**
 * Spearman's ρ: Pearson of midranks (ties at their average rank); NaN when n < 2 or a side is constant.
 * @example
 * spearman([1, 2, 3], [3, 2, 1]); // -1
 */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(midranks(x), midranks(y));
}
