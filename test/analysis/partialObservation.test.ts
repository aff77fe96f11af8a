import { Matrix, solve } from 'ml-matrix';
import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import { createCpuBackend } from '../../src/linalg/cpu/backend.js';
import { alsLowRank } from '../../src/analysis/alsLowRank.js';
import { fitTruncatedRanks } from '../../src/analysis/fitTruncatedRanks.js';
import { fitAdditive, fitColumnMeans, fitRowMeans } from '../../src/analysis/fitAdditive.js';
import { fitAdditiveAls } from '../../src/analysis/fitAdditiveAls.js';
import { observedMoments } from '../../src/analysis/goodnessOfFit.js';
import { seededGaussian } from '../../src/linalg/random.js';

const backend = createCpuBackend();

/** A random M×N matrix: a rank-3 signal with a clear spectral gap plus small noise. */
function signalPlusNoise(m: number, n: number, seed: number, noise = 0.05): Float64Array {
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

function matrixOf(values: Float64Array, m: number, n: number, observed?: Uint8Array): ForgettingMatrix {
  return new ForgettingMatrix({
    values: Float64Array.from(values),
    ...(observed ? { observed } : {}),
    taskIds: Array.from({ length: m }, (_, i) => `t${i}`),
    exampleIds: Array.from({ length: n }, (_, j) => `e${j}`),
  });
}

function randomMask(m: number, n: number, fraction: number, seed: number): Uint8Array {
  const draw = seededGaussian(seed);
  const mask = new Uint8Array(m * n);
  // Keep at least a full diagonal band so every row and column is observed and the graph is connected.
  for (let k = 0; k < m * n; k++) mask[k] = Math.abs(draw()) < fraction * 1.6449 ? 1 : 0;
  for (let i = 0; i < m; i++) for (let d = 0; d < 4; d++) mask[i * n + ((i + d) % n)] = 1;
  return mask;
}

describe('fits over observed entries equal the closed form on a complete matrix', () => {
  const m = 12;
  const n = 40;
  const values = signalPlusNoise(m, n, 1);
  const z = matrixOf(values, m, n);

  test('rank-k ALS (complete path, random start) equals the truncated SVD to 1e-8', async () => {
    const svd = await fitTruncatedRanks(z, { ranks: 4, backend, method: 'svd' });
    const als = await fitTruncatedRanks(z, { ranks: 4, backend, method: 'als', init: 'random', seed: 5 });
    expect(als.method).toBe('als');
    expect(als.converged).toBe(true);
    for (let k = 0; k < 4; k++) {
      expect(Math.abs(als.r2[k]! - svd.r2[k]!)).toBeLessThan(1e-8);
      expect(Math.abs(als.singularValues[k]! - svd.singularValues[k]!)).toBeLessThan(1e-8 * svd.singularValues[0]!);
    }
    // Same factors up to the (normalised) sign.
    for (let t = 0; t < n * 4; t++)
      expect(Math.abs(als.exampleFactors[t]! - svd.exampleFactors[t]!)).toBeLessThan(1e-6);
    for (let t = 0; t < m * 4; t++) expect(Math.abs(als.taskFactors[t]! - svd.taskFactors[t]!)).toBeLessThan(1e-6);
  });

  test('the masked ALS code path with an all-ones mask equals the truncated SVD to 1e-8', async () => {
    const svd = await fitTruncatedRanks(z, { ranks: 3, backend, method: 'svd' });
    const moments = observedMoments(z);
    const ones = new Uint8Array(m * n).fill(1);
    for (let k = 1; k <= 3; k++) {
      const fit = await alsLowRank({ rows: m, cols: n, data: values, mask: ones }, k, backend, {
        init: 'random',
        seed: 7,
      });
      expect(fit.converged).toBe(true);
      const r2 = 1 - fit.sse / moments.totalSumOfSquares;
      expect(Math.abs(r2 - svd.r2[k - 1]!)).toBeLessThan(1e-8);
    }
  });

  test('additive backfitting equals the closed form', () => {
    const closed = fitAdditive(z, { method: 'closed-form' });
    const back = fitAdditive(z, { method: 'backfit' });
    expect(back.converged).toBe(true);
    expect(Math.abs(back.r2 - closed.r2)).toBeLessThan(1e-12);
    expect(Math.abs(back.mu - closed.mu)).toBeLessThan(1e-12);
    for (let i = 0; i < m; i++) expect(Math.abs(back.taskEffects[i]! - closed.taskEffects[i]!)).toBeLessThan(1e-12);
    for (let j = 0; j < n; j++)
      expect(Math.abs(back.exampleEffects[j]! - closed.exampleEffects[j]!)).toBeLessThan(1e-12);
  });
});

describe('partially observed matrices', () => {
  const m = 10;
  const n = 30;

  test('additive backfitting is the least-squares fit over observed entries (vs a dense lstsq)', () => {
    const values = signalPlusNoise(m, n, 2, 0.3);
    const mask = randomMask(m, n, 0.5, 3);
    const z = matrixOf(values, m, n, mask);
    const fit = fitAdditive(z);
    expect(fit.method).toBe('backfit');
    expect(fit.converged).toBe(true);
    // Independent answer: least squares with the design [1 | row one-hot | column one-hot] (minimum
    // norm via ml-matrix's SVD solve); the fitted values are unique even though the effects are not.
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        if (mask[i * n + j] === 0) continue;
        const r = new Array(1 + m + n).fill(0);
        r[0] = 1;
        r[1 + i] = 1;
        r[1 + m + j] = 1;
        rows.push(r);
        y.push(values[i * n + j]!);
      }
    }
    const beta = solve(new Matrix(rows), Matrix.columnVector(y), true);
    let sse = 0;
    rows.forEach((r, t) => {
      let p = 0;
      r.forEach((x, c) => (p += x * beta.get(c, 0)));
      const i = r.indexOf(1, 1) - 1;
      const j = r.indexOf(1, 1 + m) - 1 - m;
      expect(Math.abs(fit.mu + fit.taskEffects[i]! + fit.exampleEffects[j]! - p)).toBeLessThan(1e-9);
      sse += (y[t]! - p) ** 2;
    });
    expect(Math.abs(fit.sse - sse)).toBeLessThan(1e-9);
  });

  test('rank-k ALS recovers an exactly rank-2 matrix from half of its entries', async () => {
    const draw = seededGaussian(9);
    const u = Array.from({ length: m * 2 }, draw);
    const v = Array.from({ length: n * 2 }, draw);
    const full = new Float64Array(m * n);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) full[i * n + j] = u[i * 2]! * v[j * 2]! * 2 + u[i * 2 + 1]! * v[j * 2 + 1]!;
    const mask = randomMask(m, n, 0.5, 4);
    const z = matrixOf(full, m, n, mask);
    const fit = await fitTruncatedRanks(z, { ranks: 2, backend });
    expect(fit.method).toBe('als');
    expect(fit.r2[1]).toBeGreaterThan(1 - 1e-10);
    // The missing entries are predicted by the orthogonalised factors.
    const k = fit.k;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        if (mask[i * n + j] === 1) continue;
        let p = 0;
        for (let c = 0; c < k; c++)
          p += fit.taskFactors[i * k + c]! * fit.singularValues[c]! * fit.exampleFactors[j * k + c]!;
        expect(Math.abs(p - full[i * n + j]!)).toBeLessThan(1e-5);
      }
    }
  });

  test('ALS over observed entries improves on its start and R² stays in order', async () => {
    const values = signalPlusNoise(m, n, 4, 0.3);
    const mask = randomMask(m, n, 0.6, 5);
    const z = matrixOf(values, m, n, mask);
    const fit = await fitTruncatedRanks(z, { ranks: 3, backend });
    expect(fit.converged).toBe(true);
    for (let k = 1; k < 3; k++) expect(fit.r2[k]).toBeGreaterThanOrEqual(fit.r2[k - 1]! - 1e-9);
    const add = fitAdditive(z);
    const row = fitRowMeans(z);
    const col = fitColumnMeans(z);
    // Nested models: additive ⊇ row-only and column-only.
    expect(add.r2).toBeGreaterThanOrEqual(row.r2 - 1e-12);
    expect(add.r2).toBeGreaterThanOrEqual(col.r2 - 1e-12);
    // Observed entries only: the result does not depend on what sits in the missing cells.
    const poisoned = Float64Array.from(values);
    for (let t = 0; t < poisoned.length; t++) if (mask[t] === 0) poisoned[t] = 1e6;
    const again = await fitTruncatedRanks(matrixOf(poisoned, m, n, mask), { ranks: 3, backend });
    for (let k = 0; k < 3; k++) expect(again.r2[k]).toBeCloseTo(fit.r2[k]!, 12);
  });
});

describe('additiveAls (the paper code’s regularised baseline)', () => {
  test.each([
    ['partially observed', randomMask(6, 15, 0.7, 8)],
    ['complete (row/column-sum path)', new Uint8Array(6 * 15).fill(1)],
  ])('100 epochs reach the ridge least-squares solution solved directly (%s)', (_name, mask) => {
    const m = 6;
    const n = 15;
    const values = signalPlusNoise(m, n, 6, 0.2);
    const z = matrixOf(values, m, n, mask);
    const fit = fitAdditiveAls(z);
    // Minimise Σ_obs (z − μ − a_i − b_j)² + 15 Σa² + 10 Σb² with μ the observed mean: the normal
    // equations are linear in (a, b); solve them densely with ml-matrix.
    const mu = observedMoments(z).mean;
    const size = m + n;
    const A = Matrix.zeros(size, size);
    const b = Matrix.zeros(size, 1);
    for (let i = 0; i < m; i++) A.set(i, i, 15);
    for (let j = 0; j < n; j++) A.set(m + j, m + j, 10);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        if (mask[i * n + j] === 0) continue;
        const r = values[i * n + j]! - mu;
        for (const [p, q] of [
          [i, i],
          [i, m + j],
          [m + j, i],
          [m + j, m + j],
        ] as const)
          A.set(p, q, A.get(p, q) + 1);
        b.set(i, 0, b.get(i, 0) + r);
        b.set(m + j, 0, b.get(m + j, 0) + r);
      }
    }
    const x = solve(A, b);
    for (let i = 0; i < m; i++) expect(Math.abs(fit.taskBiases[i]! - x.get(i, 0))).toBeLessThan(1e-8);
    for (let j = 0; j < n; j++) expect(Math.abs(fit.exampleBiases[j]! - x.get(m + j, 0))).toBeLessThan(1e-8);
    expect(fit.r2).toBeLessThan(fitAdditive(z).r2);
  });

  test('one epoch is one Surprise ALS pass (example biases first, then task biases), by hand', () => {
    // Z = [[1, 3], [2, 6]], μ = 3; regs 1 and 2 keep the arithmetic short.
    const z = ForgettingMatrix.fromRows([
      [1, 3],
      [2, 6],
    ]);
    const fit = fitAdditiveAls(z, { epochs: 1, regTask: 1, regExample: 2 });
    // b_ex = [(1−3 + 2−3)/(2+2), (3−3 + 6−3)/(2+2)] = [−0.75, 0.75]
    expect(Array.from(fit.exampleBiases)).toEqual([-0.75, 0.75]);
    // b_task = [(1−3+0.75 + 3−3−0.75)/(1+2), (2−3+0.75 + 6−3−0.75)/(1+2)] = [−2/3, 2/3]
    expect(fit.taskBiases[0]).toBeCloseTo(-2 / 3, 15);
    expect(fit.taskBiases[1]).toBeCloseTo(2 / 3, 15);
  });
});
