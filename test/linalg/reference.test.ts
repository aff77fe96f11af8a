import {
  createReferenceBackend,
  referenceGemm,
  referenceGram,
  referenceMaskedGram,
  referenceTopSVD,
} from '../../src/linalg/reference.js';

// A = [[1, 2, 3], [4, 5, 6]] (2×3), B = [[1, 0], [0, 1], [1, 1]] (3×2).
const A = { rows: 2, cols: 3, data: Float64Array.of(1, 2, 3, 4, 5, 6) };
const B = { rows: 3, cols: 2, data: Float64Array.of(1, 0, 0, 1, 1, 1) };

describe('the float64 reference backend, by hand', () => {
  test('gram: A·Aᵀ = [[14, 32], [32, 77]]', () => {
    expect(Array.from(referenceGram(A))).toEqual([14, 32, 32, 77]);
  });

  test('gemm and its transposed operands', () => {
    // A·B = [[1 + 3, 2 + 3], [4 + 6, 5 + 6]]
    expect(Array.from(referenceGemm(A, B))).toEqual([4, 5, 10, 11]);
    // Aᵀ·A (3×3)
    expect(Array.from(referenceGemm(A, A, { transA: true }))).toEqual([17, 22, 27, 22, 29, 36, 27, 36, 45]);
    // A·Aᵀ through transB equals the gram
    expect(Array.from(referenceGemm(A, A, { transB: true }))).toEqual([14, 32, 32, 77]);
  });

  test('maskedGram: sums over the columns both rows observe (sq is not symmetric)', () => {
    // Row 0 misses column 2, row 1 misses column 0: they share column 1 only.
    const g = referenceMaskedGram(A, Uint8Array.of(1, 1, 0, 0, 1, 1));
    expect(Array.from(g.count)).toEqual([2, 1, 1, 2]);
    expect(Array.from(g.cross)).toEqual([1 + 4, 2 * 5, 2 * 5, 25 + 36]);
    expect(Array.from(g.sq)).toEqual([1 + 4, 4, 25, 25 + 36]);
    const full = referenceMaskedGram(A, null);
    expect(Array.from(full.cross)).toEqual([14, 32, 32, 77]);
    expect(Array.from(full.count)).toEqual([3, 3, 3, 3]);
  });

  test('topSVD of diag(3, −2) padded with a zero column: s = [3, 2], vectors up to sign', () => {
    const d = { rows: 2, cols: 3, data: Float64Array.of(3, 0, 0, 0, -2, 0) };
    const r = referenceTopSVD(d, 2);
    expect(Array.from(r.s)).toEqual([3, 2].map((x) => expect.closeTo(x, 13)));
    // u₀·s₀·v₀ᵀ reproduces the 3 at (0, 0); u₁·s₁·v₁ᵀ the −2 at (1, 1).
    expect(r.u[0]! * r.s[0]! * r.v[0]!).toBeCloseTo(3, 13);
    expect(r.u[1 * 2 + 1]! * r.s[1]! * r.v[1 * 2 + 1]!).toBeCloseTo(-2, 13);
    expect([r.k, r.rows, r.cols]).toEqual([2, 2, 3]);
  });

  test('the backend runs the same definitions', async () => {
    const backend = createReferenceBackend();
    expect(Array.from(await backend.gram(A))).toEqual([14, 32, 32, 77]);
    expect(Array.from(await backend.gemm(A, B))).toEqual([4, 5, 10, 11]);
  });
});
