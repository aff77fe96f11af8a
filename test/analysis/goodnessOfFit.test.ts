import { fitQuality, observedMoments } from '../../src/analysis/goodnessOfFit.js';
import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import { ForgetscopeError } from '../../src/util/errors.js';

describe('observedMoments', () => {
  test('Z = [[1, 2], [3, 4]]: count 4, sum 10, mean 2.5, Σz² 30, Σ(z − 2.5)² = 2.25 + 0.25 + 0.25 + 2.25 = 5', () => {
    expect(
      observedMoments(
        ForgettingMatrix.fromRows([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toEqual({
      count: 4,
      sum: 10,
      mean: 2.5,
      sumOfSquares: 30,
      totalSumOfSquares: 5,
    });
  });

  test('unobserved cells are left out, whatever they hold: [[1, ·], [·, 5]] has mean 3 and Σ(z − 3)² = 8', () => {
    const z = new ForgettingMatrix({
      values: Float64Array.from([1, 1e9, Number.NaN, 5]),
      observed: Uint8Array.from([1, 0, 0, 1]),
      taskIds: ['t0', 't1'],
      exampleIds: ['e0', 'e1'],
    });
    expect(observedMoments(z)).toEqual({ count: 2, sum: 6, mean: 3, sumOfSquares: 26, totalSumOfSquares: 8 });
  });

  test('a large mean beside a small spread keeps the centred sum exact (two passes): 1e9 + [0, 1, 2] gives 2', () => {
    const m = observedMoments(ForgettingMatrix.fromRows([[1e9, 1e9 + 1, 1e9 + 2]]));
    expect(m.mean).toBe(1e9 + 1);
    expect(m.totalSumOfSquares).toBe(2);
  });

  test('no observed entry is an error, never a zero', () => {
    const z = new ForgettingMatrix({
      values: Float64Array.from([Number.NaN]),
      observed: Uint8Array.from([0]),
      taskIds: ['t'],
      exampleIds: ['e'],
    });
    expect(() => observedMoments(z)).toThrow(ForgetscopeError);
  });
});

describe('fitQuality', () => {
  test('SSE 1 over 4 entries with Σ(z − mean)² = 5: R² = 1 − 1/5 = 0.8, RMSE = √(1/4) = 0.5', () => {
    expect(fitQuality(1, { count: 4, totalSumOfSquares: 5 })).toEqual({ r2: 0.8, rmse: 0.5, sse: 1 });
  });

  test('a rounding-negative SSE is clamped to 0; a constant Z has no R² (NaN)', () => {
    expect(fitQuality(-1e-18, { count: 2, totalSumOfSquares: 3 })).toEqual({ r2: 1, rmse: 0, sse: 0 });
    const constant = fitQuality(0, { count: 3, totalSumOfSquares: 0 });
    expect(constant.r2).toBeNaN();
    expect(constant.rmse).toBe(0);
  });
});
