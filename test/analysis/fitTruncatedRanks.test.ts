import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import { createCpuBackend } from '../../src/linalg/cpu/backend.js';
import { fitTruncatedRanks } from '../../src/analysis/fitTruncatedRanks.js';
import { seededGaussian } from '../../src/linalg/random.js';

describe('fitTruncatedRanks on a wider matrix (min(M, N) > 150: randomized SVD by default)', () => {
  test('randomized and Gram routes give the same R²_k, and sign normalisation holds', async () => {
    const m = 200;
    const n = 600;
    const draw = seededGaussian(31);
    const scales = [20, 9, 5, 3, 2];
    const u = Array.from({ length: m * 5 }, draw);
    const v = Array.from({ length: n * 5 }, draw);
    const values = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let x = 0.02 * draw() + 0.3;
        for (let c = 0; c < 5; c++) x += ((scales[c]! * u[i * 5 + c]! * v[j * 5 + c]!) / Math.sqrt(m * n)) * 10;
        values[i * n + j] = x;
      }
    }
    const z = new ForgettingMatrix({
      values,
      taskIds: Array.from({ length: m }, (_, i) => `t${i}`),
      exampleIds: Array.from({ length: n }, (_, j) => `e${j}`),
    });
    const backend = createCpuBackend();
    const randomized = await fitTruncatedRanks(z, { ranks: 5, backend });
    const gram = await fitTruncatedRanks(z, { ranks: 5, backend, svdMethod: 'gram' });
    for (let k = 0; k < 5; k++) {
      expect(Math.abs(randomized.r2[k]! - gram.r2[k]!)).toBeLessThan(1e-8);
      expect(Math.abs(randomized.singularValues[k]! - gram.singularValues[k]!)).toBeLessThan(
        1e-8 * gram.singularValues[0]!,
      );
    }
    for (const fit of [randomized, gram]) {
      for (let c = 0; c < 5; c++) {
        let big = 0;
        for (let j = 0; j < n; j++)
          if (Math.abs(fit.exampleFactors[j * 5 + c]!) > Math.abs(big)) big = fit.exampleFactors[j * 5 + c]!;
        expect(big).toBeGreaterThan(0);
      }
    }
  });
});
