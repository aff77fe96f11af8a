import { symmetricEigen } from '../../src/linalg/eigen.js';

describe('symmetricEigen', () => {
  test('[[2, 1], [1, 2]]: eigenvalues 3 and 1 (descending), eigenvectors (1, 1)/√2 and (1, −1)/√2 up to sign', () => {
    const e = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2);
    expect(e.n).toBe(2);
    expect(e.values[0]).toBeCloseTo(3, 14);
    expect(e.values[1]).toBeCloseTo(1, 14);
    // Columns: (v[0], v[2]) belongs to 3, (v[1], v[3]) to 1.
    expect(Math.abs(e.vectors[0]!)).toBeCloseTo(Math.SQRT1_2, 14);
    expect(e.vectors[2]! / e.vectors[0]!).toBeCloseTo(1, 14);
    expect(e.vectors[3]! / e.vectors[1]!).toBeCloseTo(-1, 14);
  });

  test('diag(1, 5, −2) sorts to [5, 1, −2] with unit-vector columns', () => {
    const e = symmetricEigen(Float64Array.of(1, 0, 0, 0, 5, 0, 0, 0, -2), 3);
    expect(Array.from(e.values)).toEqual([5, 1, -2]);
    // Column 0 is ±e₂, column 1 is ±e₁, column 2 is ±e₃.
    expect(Array.from(e.vectors, Math.abs)).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 1]);
  });

  test('a slightly asymmetric input is symmetrised first: [[2, 1 + ε], [1 − ε, 2]] has eigenvalues 3 and 1', () => {
    const e = symmetricEigen(Float64Array.of(2, 1 + 1e-9, 1 - 1e-9, 2), 2);
    expect(e.values[0]).toBeCloseTo(3, 14);
    expect(e.values[1]).toBeCloseTo(1, 14);
  });
});
