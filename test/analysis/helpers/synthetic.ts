import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { seededGaussian } from '../../../src/linalg/random.js';

/** A random M×N matrix: a rank-3 signal with a clear spectral gap plus small noise. */
export function signalPlusNoise(m: number, n: number, seed: number, noise = 0.05): Float64Array {
  const draw = seededGaussian(seed);
  const scales = [3, 1.5, 0.7];
  const u = Array.from({ length: m * 3 }, draw);
  const v = Array.from({ length: n * 3 }, draw);
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let x = noise * draw();
      for (let c = 0; c < 3; c++) x += scales[c]! * u[i * 3 + c]! * v[j * 3 + c]!;
      out[i * n + j] = x + 0.4;
    }
  }
  return out;
}

export function matrixOf(values: Float64Array, m: number, n: number, observed?: Uint8Array): ForgettingMatrix {
  return new ForgettingMatrix({
    values: Float64Array.from(values),
    ...(observed ? { observed } : {}),
    taskIds: Array.from({ length: m }, (_, i) => `t${i}`),
    exampleIds: Array.from({ length: n }, (_, j) => `e${j}`),
  });
}

export function randomMask(m: number, n: number, fraction: number, seed: number): Uint8Array {
  const draw = seededGaussian(seed);
  const mask = new Uint8Array(m * n);
  // Keep at least a full diagonal band so every row and column is observed and the graph is connected.
  for (let k = 0; k < m * n; k++) mask[k] = Math.abs(draw()) < fraction * 1.6449 ? 1 : 0;
  for (let i = 0; i < m; i++) for (let d = 0; d < 4; d++) mask[i * n + ((i + d) % n)] = 1;
  return mask;
}
