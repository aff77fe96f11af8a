// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
/**
 * Reductions that keep charts small: sort orders from factors, contiguous binning of a sorted axis,
 * block means of a matrix, histograms and deterministic thinning. Pure functions over typed arrays;
 * every chart of a large matrix goes through these so what is drawn is stated exactly.
 */

/**
 * Indices 0..n−1 ordered by `key` descending (largest first); ties keep index order. Non-finite
 * keys go last.
 * @example
 * orderByDescending([0.1, 0.5, 0.3]); // Int32Array [1, 2, 0]
 */
export function orderByDescending(key: ArrayLike<number>): Int32Array {
  const idx = Int32Array.from({ length: key.length }, (_, i) => i);
  const k = (i: number): number => (Number.isFinite(key[i]!) ? key[i]! : -Infinity);
  return idx.sort((a, b) => k(b) - k(a) || a - b);
}

/**
 * Splits `n` sorted positions into `bins` contiguous groups whose sizes differ by at most one:
 * group b covers positions [starts[b], starts[b + 1]). With `bins ≥ n` every position is its own group.
 * @example
 * binEdges(10, 4); // Int32Array [0, 2, 5, 7, 10]
 */
export function binEdges(n: number, bins: number): Int32Array {
  const b = Math.max(1, Math.min(n, Math.floor(bins)));
  const edges = new Int32Array(b + 1);
  for (let k = 0; k <= b; k++) edges[k] = Math.floor((k * n) / b);
  return edges;
}

/** The block means of a binned, reordered matrix (see `blockMeans`). */
export interface BlockMeans {
  /** Row-major rowBins × colBins means over observed entries; NaN where a block has none. */
  means: Float64Array;
  /** Observed entries per block. */
  counts: Int32Array;
  rowEdges: Int32Array;
  colEdges: Int32Array;
}

/**
 * Averages a row-major `rows × cols` matrix over blocks: rows are visited in `rowOrder`, columns in
 * `colOrder`, and consecutive positions are grouped by `rowEdges` / `colEdges` (from `binEdges`).
 * Entries with `mask[k] === 0` or a non-finite value are skipped.
 */
export function blockMeans(
  values: ArrayLike<number>,
  cols: number,
  rowOrder: Int32Array,
  colOrder: Int32Array,
  rowEdges: Int32Array,
  colEdges: Int32Array,
  mask?: Uint8Array | null,
): BlockMeans {
  const rb = rowEdges.length - 1;
  const cb = colEdges.length - 1;
  const sums = new Float64Array(rb * cb);
  const counts = new Int32Array(rb * cb);
  // Which column bin each original column falls into, so the inner loop walks a row contiguously.
  const colBinOf = new Int32Array(cols).fill(-1);
  for (let b = 0; b < cb; b++) for (let p = colEdges[b]!; p < colEdges[b + 1]!; p++) colBinOf[colOrder[p]!] = b;
  for (let r = 0; r < rb; r++) {
    for (let p = rowEdges[r]!; p < rowEdges[r + 1]!; p++) {
      const base = rowOrder[p]! * cols;
      for (let j = 0; j < cols; j++) {
        const b = colBinOf[j]!;
        if (b < 0) continue;
        if (mask && mask[base + j] === 0) continue;
        const x = values[base + j]!;
        if (!Number.isFinite(x)) continue;
        sums[r * cb + b]! += x;
        counts[r * cb + b]!++;
      }
    }
  }
  const means = new Float64Array(rb * cb);
  for (let k = 0; k < means.length; k++) means[k] = counts[k]! > 0 ? sums[k]! / counts[k]! : NaN;
  return { means, counts, rowEdges, colEdges };
}

/** A histogram with equal-width bins over [min, max]. */
export interface Histogram {
  /** Bin b covers [edges[b], edges[b + 1]); the last bin also includes max. */
  edges: Float64Array;
  counts: Int32Array;
  /** Finite values counted. */
  total: number;
}

/**
 * Counts finite values into `bins` equal-width bins from `min` to `max` (defaults: the data's range).
 * Values outside [min, max] are not counted. A constant input gives one bin of width 1 centred on it.
 * @example
 * histogram([0, 0.5, 1, 1], { bins: 2 }); // edges [0, 0.5, 1], counts [1, 3]
 */
export function histogram(
  values: ArrayLike<number>,
  options: { bins?: number; min?: number; max?: number } = {},
): Histogram {
  const bins = Math.max(1, Math.floor(options.bins ?? 30));
  let lo = options.min ?? Infinity;
  let hi = options.max ?? -Infinity;
  if (options.min === undefined || options.max === undefined) {
    for (let k = 0; k < values.length; k++) {
      const x = values[k]!;
      if (!Number.isFinite(x)) continue;
      if (options.min === undefined && x < lo) lo = x;
      if (options.max === undefined && x > hi) hi = x;
    }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    return { edges: Float64Array.of(0, 1), counts: new Int32Array(1), total: 0 };
  }
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = new Float64Array(bins + 1);
  for (let b = 0; b <= bins; b++) edges[b] = lo + ((hi - lo) * b) / bins;
  const counts = new Int32Array(bins);
  let total = 0;
  const width = (hi - lo) / bins;
  for (let k = 0; k < values.length; k++) {
    const x = values[k]!;
    if (!Number.isFinite(x) || x < lo || x > hi) continue;
    let b = Math.floor((x - lo) / width);
    if (b >= bins) b = bins - 1;
    // Guard against rounding putting an edge value one bin too high or low.
    while (b > 0 && x < edges[b]!) b--;
    while (b < bins - 1 && x >= edges[b + 1]!) b++;
    counts[b]!++;
    total++;
  }
  return { edges, counts, total };
}

/**
 * Up to `maxPoints` indices of `0..n−1`, evenly spread (every ⌈n / maxPoints⌉-th index from 0),
 * for scatter plots of millions of points. Deterministic; returns all indices when n ≤ maxPoints.
 */
export function thinIndices(n: number, maxPoints: number): Int32Array {
  if (n <= maxPoints) return Int32Array.from({ length: n }, (_, i) => i);
  const step = Math.ceil(n / maxPoints);
  return Int32Array.from({ length: Math.ceil(n / step) }, (_, k) => k * step);
}

/** The q-quantile (0 ≤ q ≤ 1) of the finite values, linear interpolation between order statistics. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const xs: number[] = [];
  for (let k = 0; k < values.length; k++) if (Number.isFinite(values[k]!)) xs.push(values[k]!);
  if (xs.length === 0) return NaN;
  xs.sort((a, b) => a - b);
  const pos = Math.min(1, Math.max(0, q)) * (xs.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return xs[lo]! + (xs[hi]! - xs[lo]!) * (pos - lo);
}

/** The non-empty bins of a histogram as `{ lo, hi, count }` (the edges of bin b and its count). */
export function histogramBins(h: Histogram): { lo: number; hi: number; count: number }[] {
  const out: { lo: number; hi: number; count: number }[] = [];
  for (let b = 0; b < h.counts.length; b++) {
    if (h.counts[b]! > 0) out.push({ lo: h.edges[b]!, hi: h.edges[b + 1]!, count: h.counts[b]! });
  }
  return out;
}
