/** Test helpers of the closed-form completion tests: numpy cross-checks and seeded synthetic matrices. */
import { spawnSync } from 'node:child_process';
import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import { SeededNormal } from '../../src/linalg/random.js';

/** Whether python3 + numpy run here; in CI (CI=true) their absence is a failure, not a skip. */
export { numpyAvailable as hasNumpy } from '../helpers/python.js';

/** Runs a python program with a JSON document on stdin and parses the JSON it prints. */
export function numpyJson<T>(program: string, input: unknown): T {
  const run = spawnSync('python3', ['-c', program], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** Nested arrays of a matrix's rows. */
export function toRows(z: ForgettingMatrix): number[][] {
  return Array.from({ length: z.rows }, (_, i) => Array.from(z.row(i)));
}

/**
 * A seeded synthetic forgetting matrix: Z = a·1ᵀ + 1·bᵀ + A·Bᵀ·diag(scale) + noise·diag(noiseScale),
 * with `rank` latent factors, column loadings scaled by `columnScale(j)` and per-column noise sd
 * `noise(j)`.
 */
export function syntheticMatrix(options: {
  rows: number;
  cols: number;
  rank: number;
  seed: number;
  additive?: boolean;
  columnScale?: (j: number) => number;
  noise?: (j: number) => number;
}): ForgettingMatrix {
  const { rows: m, cols: n, rank, seed } = options;
  const g = new SeededNormal(seed);
  const a = Float64Array.from({ length: m * rank }, () => g.normal());
  const b = Float64Array.from({ length: n * rank }, () => g.normal());
  const rowEff = Float64Array.from({ length: m }, () => (options.additive ? g.normal() : 0));
  const colEff = Float64Array.from({ length: n }, () => (options.additive ? g.normal() : 0));
  const values = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let x = rowEff[i]! + colEff[j]!;
      let lr = 0;
      for (let c = 0; c < rank; c++) lr += a[i * rank + c]! * b[j * rank + c]!;
      x += lr * (options.columnScale ? options.columnScale(j) : 1);
      if (options.noise) x += options.noise(j) * g.normal();
      values[i * n + j] = x;
    }
  }
  return new ForgettingMatrix({
    values,
    taskIds: Array.from({ length: m }, (_, i) => `t${i}`),
    exampleIds: Array.from({ length: n }, (_, j) => `e${j}`),
  });
}

/** `count` distinct ascending columns of 0..n−1 from a seeded shuffle. */
export function randomColumns(n: number, count: number, seed: number): Int32Array {
  const g = new SeededNormal(seed);
  const idx = Array.from({ length: n }, (_, j) => j);
  for (let t = n - 1; t > 0; t--) {
    const u = Math.min(t, Math.floor(g.uniform() * (t + 1)));
    [idx[t], idx[u]] = [idx[u]!, idx[t]!];
  }
  return Int32Array.from(idx.slice(0, count)).sort();
}

/** Pooled RMSE of predictions over the columns not in `known`. */
export function unknownRmse(
  truth: ArrayLike<number>,
  prediction: ArrayLike<number>,
  known: Int32Array,
): { se: number; count: number } {
  const skip = new Set(known);
  let se = 0;
  let count = 0;
  for (let j = 0; j < truth.length; j++) {
    if (skip.has(j)) continue;
    se += (truth[j]! - prediction[j]!) ** 2;
    count++;
  }
  return { se, count };
}

/**
 * Python lines (indented for a loop body) of the numpy reference fits: the centring `v` of the train
 * block Z (M×N), its column offsets `off`, the SVD `U, sv, Vt` of the centred block, the mean squared
 * singular value `sig2` per entry and the top-k right vectors `V`.
 */
export const NUMPY_CENTRED_SVD = `
  cm = Z.mean(0)
  if v == 'uncentered': R = Z; off = np.zeros(N)
  elif v == 'column': R = Z - cm; off = cm
  else: R = Z - cm - Z.mean(1, keepdims=True) + Z.mean(); off = cm
  U, sv, Vt = np.linalg.svd(R, full_matrices=False)
  sig2 = (sv**2).sum() / (M * N)
  V = Vt[:k].T`;

/** Column noise sd `base + (j mod 5)·step`: five noise levels repeating across the columns. */
export const fiveNoiseLevels =
  (base: number, step: number) =>
  (j: number): number =>
    base + (j % 5) * step;
