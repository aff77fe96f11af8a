// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import type { Dense } from '../../linalg/types.js';
import { ForgetscopeError } from '../../util/errors.js';

/** A named slice [offset, offset + size) of a flat parameter vector (one tensor). */
export interface LayoutEntry {
  name: string;
  offset: number;
  size: number;
}

/**
 * Diagonal empirical Fisher from per-example gradients G (N × P): F_j = Σᵢ wᵢ g²ᵢⱼ / Σᵢ wᵢ
 * (uniform weights by default). Note: squaring the batch-mean gradient is NOT the Fisher.
 * @example diagonalFisher({ rows: 3, cols: 4, data: G }) // [0.02, 0.0666667, 0.00333333, 0.0466667] for seed-002 T1
 */
export function diagonalFisher(g: Dense, options: { weights?: Float64Array } = {}): Float64Array {
  const { rows: n, cols: p } = g;
  const w = options.weights;
  if (w && w.length !== n) throw new ForgetscopeError('shape', `diagonalFisher: ${w.length} weights for ${n} examples`);
  const f = new Float64Array(p);
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i]! : 1;
    if (!(wi >= 0)) throw new ForgetscopeError('input', `diagonalFisher: weight ${i} is negative or not a number`);
    wsum += wi;
    for (let j = 0; j < p; j++) {
      const x = g.data[i * p + j]!;
      f[j]! += wi * x * x;
    }
  }
  if (!(wsum > 0)) throw new ForgetscopeError('empty', 'diagonalFisher: no examples (or all weights zero)');
  for (let j = 0; j < p; j++) f[j]! /= wsum;
  return f;
}

/** Per-tensor Fisher summaries (sum, mean, max) over a flat layout. */
export function fisherByTensor(
  f: Float64Array | Float32Array,
  layout: readonly LayoutEntry[],
): { name: string; sum: number; mean: number; max: number }[] {
  return layout.map(({ name, offset, size }) => {
    if (offset < 0 || offset + size > f.length)
      throw new ForgetscopeError(
        'shape',
        `fisherByTensor: slice "${name}" [${offset}, ${offset + size}) is outside the ${f.length}-entry vector`,
      );
    let sum = 0;
    let max = -Infinity;
    for (let j = offset; j < offset + size; j++) {
      sum += f[j]!;
      if (f[j]! > max) max = f[j]!;
    }
    return { name, sum, mean: size ? sum / size : NaN, max: size ? max : NaN };
  });
}

/** Column means of G (the mean gradient ḡ_L used by forgetting-confidence variant (b)). */
export function meanGradient(g: Dense): Float64Array {
  const out = new Float64Array(g.cols);
  for (let i = 0; i < g.rows; i++) for (let j = 0; j < g.cols; j++) out[j]! += g.data[i * g.cols + j]!;
  for (let j = 0; j < g.cols; j++) out[j]! /= g.rows;
  return out;
}
