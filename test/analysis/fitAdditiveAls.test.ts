import { Matrix, solve } from 'ml-matrix';
import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import { fitAdditive } from '../../src/analysis/fitAdditive.js';
import { fitAdditiveAls } from '../../src/analysis/fitAdditiveAls.js';
import { observedMoments } from '../../src/analysis/goodnessOfFit.js';
import { matrixOf, randomMask, signalPlusNoise } from './helpers/synthetic.js';

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
