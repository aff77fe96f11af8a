/**
 * Per-row and per-column sums and counts over the observed entries of a row-major matrix: the one
 * pass the additive fits, the two-way fill of `alsLowRank` and the row/column means start from.
 * Numeric kernel: indexed reads carry `!` where the index is < length by the loop bounds
 * (`i < rows`, `j < cols`, and `data`/`mask` hold rows × cols entries).
 */

/** A row-major rows × cols block and its observed mask (1 = observed; null = every entry observed). */
export interface ObservedBlock {
  rows: number;
  cols: number;
  data: Float64Array | Float32Array;
  mask: Uint8Array | null;
}

/** Sums and counts of the observed entries by row and by column (float64). */
export interface ObservedSums {
  /** Σ_j z_ij over the observed entries of row i (0 when none). */
  rowSums: Float64Array;
  /** Observed entries of row i. */
  rowCounts: Float64Array;
  /** Σ_i z_ij over the observed entries of column j (0 when none). */
  colSums: Float64Array;
  /** Observed entries of column j. */
  colCounts: Float64Array;
}

/**
 * Row and column sums and counts over the observed entries (mask 1, or every entry when the mask is
 * null), accumulated in index order.
 * @example
 * observedSums({ rows: 1, cols: 2, data: Float64Array.of(1, 3), mask: Uint8Array.of(1, 0) }).rowSums; // [1]
 */
export function observedSums(a: ObservedBlock): ObservedSums {
  const { rows: m, cols: n, data, mask } = a;
  const rowSums = new Float64Array(m);
  const rowCounts = new Float64Array(m);
  const colSums = new Float64Array(n);
  const colCounts = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const base = i * n;
    let s = 0;
    let c = 0;
    for (let j = 0; j < n; j++) {
      if (mask !== null && mask[base + j] === 0) continue;
      const z = data[base + j]!;
      s += z;
      c++;
      colSums[j]! += z;
      colCounts[j]!++;
    }
    rowSums[i] = s;
    rowCounts[i] = c;
  }
  return { rowSums, rowCounts, colSums, colCounts };
}
