import { orthogonaliseFactors } from '../../src/analysis/orthogonaliseFactors.js';
import { createReferenceBackend } from '../../src/linalg/reference.js';
import { seededGaussian } from '../../src/linalg/random.js';

const backend = createReferenceBackend();

describe('orthogonaliseFactors', () => {
  test('rank 1 by hand: a = [1, 2], b = [3, 4] → s = ‖a‖·‖b‖ = 5√5, u = a/√5, v = b/5', async () => {
    const f = await orthogonaliseFactors(Float64Array.of(1, 2), Float64Array.of(3, 4), 2, 2, 1, backend);
    expect(f.s[0]).toBeCloseTo(5 * Math.sqrt(5), 13);
    expect(f.u[0]).toBeCloseTo(1 / Math.sqrt(5), 14);
    expect(f.u[1]).toBeCloseTo(2 / Math.sqrt(5), 14);
    expect(f.v[0]).toBeCloseTo(0.6, 14);
    expect(f.v[1]).toBeCloseTo(0.8, 14);
  });

  test('A·Bᵀ = [[2, 0], [0, 3], [0, 0]] by hand: s = [3, 2], u and v the swapped unit vectors', async () => {
    const a = Float64Array.of(1, 0, 0, 1, 0, 0); // 3×2
    const b = Float64Array.of(2, 0, 0, 3); // 2×2
    const f = await orthogonaliseFactors(a, b, 3, 2, 2, backend);
    expect(f.s[0]).toBeCloseTo(3, 13);
    expect(f.s[1]).toBeCloseTo(2, 13);
    // Column 0 of u is e₂ and of v is e₂; column 1 is e₁ for both (row-major, k = 2).
    const round = (x: Float64Array) => Array.from(x, (t) => Math.round(t * 1e12) / 1e12 + 0);
    expect(round(f.u)).toEqual([0, 1, 1, 0, 0, 0]);
    expect(round(f.v)).toEqual([0, 1, 1, 0]);
  });

  test('random factors (9×3 and 14×3): U·diag(s)·Vᵀ = A·Bᵀ, orthonormal U and V, s descending', async () => {
    const draw = seededGaussian(4);
    const [m, n, k] = [9, 14, 3];
    const a = Float64Array.from({ length: m * k }, draw);
    const b = Float64Array.from({ length: n * k }, draw);
    const f = await orthogonaliseFactors(a, b, m, n, k, backend);
    for (let c = 1; c < k; c++) expect(f.s[c]).toBeLessThanOrEqual(f.s[c - 1]!);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let want = 0;
        let got = 0;
        for (let c = 0; c < k; c++) {
          want += a[i * k + c]! * b[j * k + c]!;
          got += f.u[i * k + c]! * f.s[c]! * f.v[j * k + c]!;
        }
        expect(Math.abs(got - want)).toBeLessThan(1e-12);
      }
    const gram = (x: Float64Array, rows: number, p: number, q: number) => {
      let s = 0;
      for (let r = 0; r < rows; r++) s += x[r * k + p]! * x[r * k + q]!;
      return s;
    };
    for (let p = 0; p < k; p++)
      for (let q = 0; q < k; q++) {
        expect(gram(f.u, m, p, q)).toBeCloseTo(p === q ? 1 : 0, 12);
        expect(gram(f.v, n, p, q)).toBeCloseTo(p === q ? 1 : 0, 12);
      }
  });
});
