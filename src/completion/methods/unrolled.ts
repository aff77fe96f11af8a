/**
 * Small unrolled kernels of the rank-5 SGD paths (`svd`'s 5 factors, `lgmf`'s rank 5).
 * Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
 */

/**
 * a·b[o..o+5): Σ_c a_c·b[o + c], summed from 0 in c order — the general loops' order, so the unrolled
 * paths reproduce them bit for bit.
 */
export function dot5(a0: number, a1: number, a2: number, a3: number, a4: number, b: Float64Array, o: number): number {
  let x = 0;
  x += a0 * b[o]!;
  x += a1 * b[o + 1]!;
  x += a2 * b[o + 2]!;
  x += a3 * b[o + 3]!;
  x += a4 * b[o + 4]!;
  return x;
}
