/**
 * Midranks of a sample: the rank transform that correlations (analysis) and derived side matrices
 * (completion) share, kept in linalg so both layers import it downward.
 * Indexed reads carry `!` where the index is < length by the loop bounds.
 */

/**
 * 1-based ranks with ties given the average of the ranks they span (as scipy's `rankdata`).
 * @example
 * midranks([3, 1, 3, 2]); // [3.5, 1, 3.5, 2]
 */
export function midranks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  order.sort((a, b) => x[a]! - x[b]!);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]!] === x[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = rank;
    i = j + 1;
  }
  return ranks;
}
