import { SeededNormal } from '../../src/linalg/random.js';
import type { Dense } from '../../src/linalg/types.js';

/** A seeded standard-normal dense matrix. */
export function randomDense(rows: number, cols: number, seed: number, f32 = false): Dense {
  const rng = new SeededNormal(seed);
  const data = f32 ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  for (let t = 0; t < data.length; t++) data[t] = rng.normal();
  return { rows, cols, data };
}

/**
 * max |got − want| / scale over entries, where scale[i][j] is supplied (e.g. Σ|a_ik||b_jk|, the
 * natural error scale of a dot product).
 */
export function maxScaledError(got: ArrayLike<number>, want: ArrayLike<number>, scale: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let t = 0; t < want.length; t++) {
    const e = Math.abs(got[t]! - want[t]!) / Math.max(scale[t]!, 1e-300);
    if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : Math.max(worst, e);
  }
  return worst;
}

/** Σ_k |X[i][k]|·|Y[j][k]| for op(A)·op(B) — the scale of the rounding error of each entry. */
export function absProductScale(a: Dense, b: Dense, transA = false, transB = false): Float64Array {
  const abs = (d: Dense): Dense => ({ rows: d.rows, cols: d.cols, data: Float64Array.from(d.data, Math.abs) });
  const aa = abs(a);
  const bb = abs(b);
  const ar = transA ? a.cols : a.rows;
  const inner = transA ? a.rows : a.cols;
  const bc = transB ? b.rows : b.cols;
  const out = new Float64Array(ar * bc);
  for (let i = 0; i < ar; i++)
    for (let j = 0; j < bc; j++) {
      let s = 0;
      for (let k = 0; k < inner; k++) {
        const x = transA ? aa.data[k * a.cols + i]! : aa.data[i * a.cols + k]!;
        const y = transB ? bb.data[j * b.cols + k]! : bb.data[k * b.cols + j]!;
        s += x * y;
      }
      out[i * bc + j] = s;
    }
  return out;
}
