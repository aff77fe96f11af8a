/**
 * User-based neighbourhoods as Surprise computes them for one test user: the MSD similarity
 * `1 / (1 + mean squared difference over commonly rated items)` between the test row and every train
 * row, and, per item, the k most similar users who rated it (a stable sort: ties keep insertion order,
 * train rows first and the test row last, like `heapq.nlargest`).
 * Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
 */
import type { KnownEntries } from '../types.js';
import type { TrainBlock } from './surpriseTrainset.js';

/** MSD similarity of the test row to each train row (0 when no common item: min_support = 1). */
export function msdToTrainRows(block: TrainBlock, known: KnownEntries): Float64Array {
  const { m, n, values, mask } = block;
  const sim = new Float64Array(m);
  const kc = known.columns;
  const kv = known.values;
  for (let i = 0; i < m; i++) {
    let sq = 0;
    let freq = 0;
    const base = i * n;
    for (let q = 0; q < kc.length; q++) {
      const j = kc[q]!;
      if (mask !== null && mask[base + j] === 0) continue;
      const d = values[base + j]! - kv[q]!;
      sq += d * d;
      freq++;
    }
    sim[i] = freq < 1 ? 0 : 1 / (sq / freq + 1);
  }
  return sim;
}

/** Train rows ordered by similarity, descending; ties keep row order (stable). */
export function rankBySimilarity(sim: Float64Array): Int32Array {
  const order = Int32Array.from(sim, (_, i) => i);
  // Array.prototype.sort is stable; typed-array sort with a comparator is too (ES2019+).
  return order.sort((a, b) => (sim[b]! > sim[a]! ? 1 : sim[b]! < sim[a]! ? -1 : a - b));
}

/**
 * One item's neighbours in Surprise's order: the train rows that rated it, in `order` (by similarity),
 * at most k. The test row itself is never its own neighbour: at the known columns (never scored) this
 * matches the reference predictions, which complete the whole row from the train rows.
 * Calls `visit(row, sim)` for each.
 */
export function forEachNeighbour(
  block: TrainBlock,
  order: Int32Array,
  sim: Float64Array,
  j: number,
  k: number,
  visit: (row: number, s: number) => void,
): void {
  const { n, mask } = block;
  let taken = 0;
  for (let r = 0; r < order.length && taken < k; r++) {
    const i = order[r]!;
    if (mask !== null && mask[i * n + j] === 0) continue;
    visit(i, sim[i]!);
    taken++;
  }
}

/** Sums over an item's neighbours with positive similarity (see `neighbourSums`). */
export interface NeighbourSums {
  /** Σ s over the neighbours with s > 0. */
  sumSim: number;
  /** Σ s·value(row) over them. */
  weighted: number;
  /** How many they are. */
  count: number;
}

/**
 * The similarity-weighted sums of `value(row)` over item j's neighbours (as `forEachNeighbour`) whose
 * similarity is positive, accumulated in neighbour order as Surprise's KNN predictions do.
 */
export function neighbourSums(
  block: TrainBlock,
  order: Int32Array,
  sim: Float64Array,
  j: number,
  k: number,
  value: (row: number) => number,
): NeighbourSums {
  const sums: NeighbourSums = { sumSim: 0, weighted: 0, count: 0 };
  forEachNeighbour(block, order, sim, j, k, (row, s) => {
    if (s > 0) {
      sums.sumSim += s;
      sums.weighted += s * value(row);
      sums.count++;
    }
  });
  return sums;
}
