import type { ForgettingMatrix, MetaValue } from '../matrix/ForgettingMatrix.js';
import { ForgetscopeError } from '../util/errors.js';
import { itemAt } from '../util/checked.js';

/** Per-example (column) forgetting statistics over the observed entries; NaN where none observed. */
export interface ExampleSummary {
  /** Mean forgetting of each example over the tasks that observed it. */
  mean: Float64Array;
  /** Largest forgetting of each example. */
  max: Float64Array;
  /** Smallest forgetting of each example. */
  min: Float64Array;
  /** Fraction of observed tasks with Z > 0. */
  fractionForgotten: Float64Array;
  /** Number of observed tasks. */
  observed: Int32Array;
}

/**
 * Per-example mean / max / min forgetting and fraction forgotten, one pass over the matrix.
 * @example
 * summarizeExamples(ForgettingMatrix.fromRows([[0.1, -0.2], [0.3, 0.2]])).mean; // [0.2, 0]
 */
export function summarizeExamples(matrix: ForgettingMatrix): ExampleSummary {
  const { rows: m, cols: n, values: v, mask } = matrix;
  const sum = new Float64Array(n);
  const max = new Float64Array(n).fill(-Infinity);
  const min = new Float64Array(n).fill(Infinity);
  const positive = new Float64Array(n);
  const observed = new Int32Array(n);
  for (let i = 0; i < m; i++) {
    const base = i * n;
    for (let j = 0; j < n; j++) {
      if (mask !== null && mask[base + j] === 0) continue;
      const z = itemAt(v, base + j);
      sum[j] = itemAt(sum, j) + z;
      if (z > itemAt(max, j)) max[j] = z;
      if (z < itemAt(min, j)) min[j] = z;
      if (z > 0) positive[j] = itemAt(positive, j) + 1;
      observed[j] = itemAt(observed, j) + 1;
    }
  }
  const mean = new Float64Array(n);
  const fractionForgotten = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const c = itemAt(observed, j);
    mean[j] = c > 0 ? itemAt(sum, j) / c : NaN;
    fractionForgotten[j] = c > 0 ? itemAt(positive, j) / c : NaN;
    if (c === 0) {
      max[j] = NaN;
      min[j] = NaN;
    }
  }
  return { mean, max, min, fractionForgotten, observed };
}

/** One row of the most-forgotten list, with the example's metadata (source, text … when present). */
export interface ForgottenExample {
  /** Example id. */
  example: string;
  /** Column index in the matrix. */
  index: number;
  mean: number;
  max: number;
  fractionForgotten: number;
  /** Observed tasks. */
  observed: number;
  /** The example's metadata as read (e.g. `source`, `text`). */
  meta: Record<string, MetaValue>;
}

/** Options of `topForgotten`. */
export interface TopForgottenOptions {
  /** How many examples (default 10). */
  count?: number;
  /** Rank by mean (default) or max forgetting. */
  by?: 'mean' | 'max';
}

/**
 * The most-forgotten examples, highest first (ties by column order), with their metadata.
 * Examples with no observed entry are left out.
 * @example
 * const z = ForgettingMatrix.fromRows([[0.1, 0.5]], { exampleIds: ['a', 'b'], exampleMeta: [{ source: 'x' }, { source: 'y' }] });
 * topForgotten(z, summarizeExamples(z), { count: 1 }); // [{example: 'b', mean: 0.5, meta: {source: 'y'}, …}]
 */
export function topForgotten(
  matrix: Pick<ForgettingMatrix, 'exampleIds' | 'exampleMeta'>,
  summary: ExampleSummary,
  options: TopForgottenOptions = {},
): ForgottenExample[] {
  return mostForgotten(summary, options).map((j) =>
    forgottenExample(summary, j, itemAt(matrix.exampleIds, j, 'example'), matrix.exampleMeta[j]),
  );
}

/**
 * The column indices of the most-forgotten examples, highest first (ties by column order); examples
 * with no observed entry are left out (see `topForgotten`).
 * @example
 * mostForgotten(summarizeExamples(ForgettingMatrix.fromRows([[0.1, 0.5]])), { count: 1 }); // [1]
 */
export function mostForgotten(summary: ExampleSummary, options: TopForgottenOptions = {}): number[] {
  const count = options.count ?? 10;
  if (!Number.isInteger(count) || count < 0)
    throw new ForgetscopeError('usage', `top count must be a non-negative integer, got ${count}`);
  const key = options.by === 'max' ? summary.max : summary.mean;
  const order: number[] = [];
  for (let j = 0; j < key.length; j++) if (itemAt(summary.observed, j) > 0) order.push(j);
  order.sort((a, b) => itemAt(key, b) - itemAt(key, a) || a - b);
  return order.slice(0, count);
}

/** Example j's row of the most-forgotten list: its statistics, id and (copied) metadata. */
export function forgottenExample(
  summary: ExampleSummary,
  j: number,
  example: string,
  meta: Readonly<Record<string, MetaValue>> | undefined,
): ForgottenExample {
  return {
    example,
    index: j,
    mean: itemAt(summary.mean, j),
    max: itemAt(summary.max, j),
    fractionForgotten: itemAt(summary.fractionForgotten, j),
    observed: itemAt(summary.observed, j),
    meta: { ...meta },
  };
}
