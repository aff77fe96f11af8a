import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import { itemAt } from '../util/checked.js';

/** Forgetting aggregated over the examples of one source (domain). */
export interface SourceSummary {
  source: string;
  /** Examples of this source. */
  examples: number;
  /** Observed entries (task × example cells) of this source. */
  observed: number;
  /** Mean Z over the source's observed cells. */
  mean: number;
  /** Fraction of the source's observed cells with Z > 0. */
  fractionForgotten: number;
  /** Σ Z over the source's cells. */
  sum: number;
  /** The source's share of the total forgetting, Σ_source Z / Σ_all Z (shares add up to 1). */
  share: number;
  /** Share of the positive forgetting, Σ_source max(Z, 0) / Σ_all max(Z, 0). */
  positiveShare: number;
}

/** Options of `summarizeBySource`. */
export interface SummarizeBySourceOptions {
  /** Example metadata key that names the source (default `source`). */
  key?: string;
}

/** True when at least one example carries the metadata key (default `source`). */
export function hasExampleMeta(matrix: ForgettingMatrix, key = 'source'): boolean {
  return matrix.exampleMeta.some((meta) => meta[key] !== undefined && meta[key] !== null && meta[key] !== '');
}

/**
 * Per-source (domain) aggregates for data teams: mean forgetting, fraction forgotten (Z > 0) and
 * share of the total forgetting, over observed cells. Examples without the key are grouped under
 * `(none)`. Sorted by mean forgetting, highest first (ties by name). Empty when no example has a source.
 * @example
 * const z = ForgettingMatrix.fromRows([[0.2, 0.4, -0.1]], { exampleMeta: [{ source: 'a' }, { source: 'b' }, { source: 'a' }] });
 * summarizeBySource(z); // [{source: 'b', mean: 0.4, share: 0.8, …}, {source: 'a', mean: 0.05, share: 0.2, …}]
 */
export function summarizeBySource(matrix: ForgettingMatrix, options: SummarizeBySourceOptions = {}): SourceSummary[] {
  const key = options.key ?? 'source';
  if (!hasExampleMeta(matrix, key)) return [];
  const { rows: m, cols: n, values: v, mask } = matrix;
  const groupOf = new Int32Array(n);
  const names: string[] = [];
  const index = new Map<string, number>();
  for (let j = 0; j < n; j++) {
    const raw = itemAt(matrix.exampleMeta, j)[key];
    const name = raw === undefined || raw === null || raw === '' ? '(none)' : String(raw);
    let g = index.get(name);
    if (g === undefined) {
      g = names.length;
      names.push(name);
      index.set(name, g);
    }
    groupOf[j] = g;
  }
  const groups = names.length;
  const examples = new Float64Array(groups);
  const observed = new Float64Array(groups);
  const sum = new Float64Array(groups);
  const positiveSum = new Float64Array(groups);
  const positive = new Float64Array(groups);
  for (let j = 0; j < n; j++) {
    const g = itemAt(groupOf, j);
    examples[g] = itemAt(examples, g) + 1;
  }
  for (let i = 0; i < m; i++) {
    const base = i * n;
    for (let j = 0; j < n; j++) {
      if (mask !== null && mask[base + j] === 0) continue;
      const g = itemAt(groupOf, j);
      const z = itemAt(v, base + j);
      observed[g] = itemAt(observed, g) + 1;
      sum[g] = itemAt(sum, g) + z;
      if (z > 0) {
        positive[g] = itemAt(positive, g) + 1;
        positiveSum[g] = itemAt(positiveSum, g) + z;
      }
    }
  }
  return sourceSummariesFromSums({ names, examples, observed, sum, positive, positiveSum });
}

/** Per-source accumulators (one entry per source), as `summarizeBySource` or a stream collects them. */
export interface SourceSums {
  names: readonly string[];
  examples: Float64Array;
  observed: Float64Array;
  sum: Float64Array;
  /** Cells with Z > 0. */
  positive: Float64Array;
  /** Σ max(Z, 0). */
  positiveSum: Float64Array;
}

/**
 * Turns per-source sums into sorted `SourceSummary` rows (mean, fraction forgotten, shares).
 * @example
 * sourceSummariesFromSums({ names: ['a'], examples: Float64Array.of(2), observed: Float64Array.of(4), sum: Float64Array.of(1), positive: Float64Array.of(3), positiveSum: Float64Array.of(1.5) });
 */
export function sourceSummariesFromSums(sums: SourceSums): SourceSummary[] {
  const { names, examples, observed, sum, positive, positiveSum } = sums;
  let total = 0;
  let totalPositive = 0;
  for (let g = 0; g < names.length; g++) {
    total += itemAt(sum, g);
    totalPositive += itemAt(positiveSum, g);
  }
  const out: SourceSummary[] = names.map((source, g) => {
    const seen = itemAt(observed, g);
    const sumOf = itemAt(sum, g);
    return {
      source,
      examples: itemAt(examples, g),
      observed: seen,
      mean: seen > 0 ? sumOf / seen : NaN,
      fractionForgotten: seen > 0 ? itemAt(positive, g) / seen : NaN,
      sum: sumOf,
      share: total !== 0 ? sumOf / total : NaN,
      positiveShare: totalPositive > 0 ? itemAt(positiveSum, g) / totalPositive : NaN,
    };
  });
  out.sort(
    (a, b) =>
      (Number.isNaN(a.mean) ? 1 : 0) - (Number.isNaN(b.mean) ? 1 : 0) ||
      b.mean - a.mean ||
      (a.source < b.source ? -1 : 1),
  );
  return out;
}
