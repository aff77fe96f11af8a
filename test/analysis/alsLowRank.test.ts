import { createCpuBackend } from '../../src/linalg/cpu/backend.js';
import { alsLowRank } from '../../src/analysis/alsLowRank.js';
import { fitTruncatedRanks } from '../../src/analysis/fitTruncatedRanks.js';
import { fitAdditive, fitColumnMeans, fitRowMeans } from '../../src/analysis/fitAdditive.js';
import { observedMoments } from '../../src/analysis/goodnessOfFit.js';
import { seededGaussian } from '../../src/linalg/random.js';
import { matrixOf, randomMask, signalPlusNoise } from './helpers/synthetic.js';

const backend = createCpuBackend();

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
});

describe('partially observed matrices', () => {
  const m = 10;
  const n = 30;

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
