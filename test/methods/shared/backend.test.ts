import { createReferenceBackend } from '../../../src/linalg/reference.js';
import { backendOf, dense, sumSquares } from '../../../src/methods/shared/backend.js';

describe("the methods' backend choice", () => {
  test('a given backend is used as it is; without one, one shared cpu backend for every call', () => {
    const given = createReferenceBackend();
    expect(backendOf({ backend: given })).toBe(given);
    const fallback = backendOf(undefined);
    expect(fallback.name).toBe('cpu');
    expect(backendOf({})).toBe(fallback);
  });

  test('the shared fallback computes: A·Aᵀ of A = [[1, 2], [3, 4]] is [[5, 11], [11, 25]]', async () => {
    const g = await backendOf(undefined).gram(dense(2, 2, Float64Array.of(1, 2, 3, 4)));
    expect(Array.from(g)).toEqual([5, 11, 11, 25]);
  });

  test('sumSquares: 1 + 4 + 9 = 14 in float64, also for float32 input', () => {
    expect(sumSquares([1, -2, 3])).toBe(14);
    // 0.1 in float32 is 0.100000001490116…; its square summed in float64 keeps those digits.
    const f = Math.fround(0.1);
    expect(sumSquares(Float32Array.of(0.1, 0.1))).toBe(f * f + f * f);
  });
});
