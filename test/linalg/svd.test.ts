import { createReferenceBackend } from '../../src/linalg/reference.js';
import { orthonormaliseRows, topSVDWith } from '../../src/linalg/svd.js';
import { ForgetscopeError } from '../../src/util/errors.js';

const backend = createReferenceBackend();

describe('topSVDWith', () => {
  // A = [[3, 0, 0, 0], [0, −2, 0, 0], [0, 0, 0, 1]]: singular values 3, 2, 1 with unit singular vectors.
  const a = { rows: 3, cols: 4, data: Float64Array.of(3, 0, 0, 0, 0, -2, 0, 0, 0, 0, 0, 1) };

  test.each(['gram', 'randomized'] as const)(
    '%s: s = [3, 2, 1]; the largest right-vector entry is positive',
    async (method) => {
      const r = await topSVDWith(backend, a, 3, { method });
      expect(Array.from(r.s).map((x) => Math.round(x * 1e10) / 1e10)).toEqual([3, 2, 1]);
      // v columns: e₁, e₂, e₄, each positive after sign normalisation; u carries the sign of −2.
      expect(r.v[0 * 3 + 0]).toBeCloseTo(1, 10);
      expect(r.v[1 * 3 + 1]).toBeCloseTo(1, 10);
      expect(r.v[3 * 3 + 2]).toBeCloseTo(1, 10);
      expect(r.u[1 * 3 + 1]).toBeCloseTo(-1, 10);
      expect([r.k, r.rows, r.cols]).toEqual([3, 3, 4]);
    },
  );

  test('k below 1 or fractional is a usage error', async () => {
    await expect(topSVDWith(backend, a, 0)).rejects.toThrow(ForgetscopeError);
    await expect(topSVDWith(backend, a, 1.5)).rejects.toThrow(/positive integer/);
  });
});

describe('orthonormaliseRows', () => {
  test('rows (3, 4) and (1, 0): the first becomes (0.6, 0.8), the second its orthogonal complement (0.8, −0.6)', () => {
    const x = Float64Array.of(3, 4, 1, 0);
    orthonormaliseRows(x, 2, 2);
    const r = Array.from(x, (t) => Math.round(t * 1e12) / 1e12);
    expect(r).toEqual([0.6, 0.8, 0.8, -0.6]);
  });

  test('a row in the span of the earlier ones becomes zero', () => {
    const x = Float64Array.of(1, 1, 0, 2, 2, 0);
    orthonormaliseRows(x, 2, 3);
    expect(Array.from(x.subarray(3), Math.abs)).toEqual([0, 0, 0]);
    expect(x[0]).toBeCloseTo(Math.SQRT1_2, 14);
  });
});
