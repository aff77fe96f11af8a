// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import type { Dense } from '../types.js';
import type { NtOperand } from './ntProduct.js';

/**
 * An NT operand over a dense matrix: logical (r, k) = A[r][k] when `transposed` is false, A[k][r]
 * when it is true. `map` optionally transforms each value (masked sums); it receives the flat index.
 */
export function denseOperand(a: Dense, transposed: boolean, map?: (value: number, index: number) => number): NtOperand {
  const rows = transposed ? a.cols : a.rows;
  const depth = transposed ? a.rows : a.cols;
  const ld = a.cols;
  const src = a.data;
  return {
    rows,
    depth,
    pack(r0, r1, k0, k1, dst, dld) {
      if (!transposed) {
        for (let r = r0; r < r1; r++) {
          const s = r * ld;
          const d = (r - r0) * dld - k0;
          if (map) for (let k = k0; k < k1; k++) dst[d + k] = map(src[s + k]!, s + k);
          else if (src instanceof Float32Array) dst.set(src.subarray(s + k0, s + k1), d + k0);
          else for (let k = k0; k < k1; k++) dst[d + k] = src[s + k]!;
        }
      } else {
        // blocked over r so the written rows stay in cache
        for (let rb = r0; rb < r1; rb += 64) {
          const re = Math.min(r1, rb + 64);
          for (let k = k0; k < k1; k++) {
            const s = k * ld;
            const d = k - k0;
            for (let r = rb; r < re; r++) {
              const v = src[s + r]!;
              dst[(r - r0) * dld + d] = map ? map(v, s + r) : v;
            }
          }
        }
      }
    },
  };
}
