import * as smallDense from '../../src/linalg/smallDense.js';

describe('small dense linear algebra (hand-worked)', () => {
  test('Cholesky of [[4, 2], [2, 2]] is [[2, 0], [1, 1]]; solves A·x = [6, 4] to x = [1, 1]', () => {
    const a = Float64Array.of(4, 2, 2, 2);
    expect(smallDense.choleskyInPlace(a, 2)).toBe(true);
    expect([a[0], a[2], a[3]]).toEqual([2, 1, 1]);
    const b = Float64Array.of(6, 4);
    smallDense.choleskyBackSolve(a, b, 2);
    expect(Array.from(b)).toEqual([1, 1]);
    const f = Float64Array.of(2, 2);
    smallDense.choleskyForwardSolve(a, f, 2);
    expect(Array.from(f)).toEqual([1, 1]);
  });

  test('leading-block Cholesky stops at the first non-positive pivot and keeps the blocks before it', () => {
    // [[4, 2, 0], [2, 1, 0], [0, 0, 9]]: the 1×1 block factors (L = 2), the 2×2 block is singular (1 − 1 = 0).
    const a = Float64Array.of(4, 2, 0, 2, 1, 0, 0, 0, 9);
    expect(smallDense.choleskyLeadingInPlace(a, 3)).toBe(1);
    expect([a[0], a[3]]).toEqual([2, 1]);
    // A positive definite matrix factors completely, equal to choleskyInPlace.
    const b = Float64Array.of(4, 2, 2, 2);
    expect(smallDense.choleskyLeadingInPlace(b, 2)).toBe(2);
    expect([b[0], b[2], b[3]]).toEqual([2, 1, 1]);
    expect(smallDense.choleskyLeadingInPlace(Float64Array.of(-1), 1)).toBe(0);
  });

  test('a matrix that is not positive definite is refused without a floor and factored with one', () => {
    expect(smallDense.choleskySolveInPlace(Float64Array.of(1, 2, 2, 1), Float64Array.of(1, 1), 2)).toBe(false);
    expect(smallDense.choleskyInPlace(Float64Array.of(1, 1, 1, 1), 2, 1e-300)).toBe(true);
  });

  test('ridge solve: (diag(2, 3) + 1·I) x = [3, 8] gives x = [1, 2]', () => {
    const b = Float64Array.of(3, 8);
    smallDense.ridgeSolveInPlace(Float64Array.of(2, 0, 0, 3), b, 2, 1);
    expect(b[0]).toBeCloseTo(1, 15);
    expect(b[1]).toBeCloseTo(2, 15);
  });

  test('smallSVD orders singular values descending', () => {
    expect(Array.from(smallDense.smallSVD(Float64Array.of(3, 0, 0, 4), 2, 2).s)).toEqual([4, 3]);
  });

  test('triangular solves on a leading block of a larger factor (row stride ld) read only that block', () => {
    // L = [[2, 0, ·], [1, 4, ·], [·, ·, ·]] stored 3×3 with junk outside the leading 2×2 lower triangle.
    const l = Float64Array.of(2, 99, 99, 1, 4, 99, 99, 99, 99);
    // L·x = [4, 10] → x = [2, (10 − 2)/4 = 2]
    const f = Float64Array.of(4, 10, 7);
    smallDense.forwardSubstitute(l, f, 2, 3);
    expect(Array.from(f)).toEqual([2, 2, 7]);
    // Lᵀ·x = [4, 8]: x₂ = 8/4 = 2, x₁ = (4 − 1·2)/2 = 1
    const b = Float64Array.of(4, 8, 7);
    smallDense.backSubstitute(l, b, 2, 3);
    expect(Array.from(b)).toEqual([1, 2, 7]);
    // L·Lᵀ = [[4, 2], [2, 17]]; A·[1, 1] = [6, 19]
    const x = Float64Array.of(6, 19);
    smallDense.choleskySolve(Float64Array.of(2, 0, 1, 4), x, 2);
    expect(Array.from(x)).toEqual([1, 1]);
  });

  test('addJitter adds the relative share of the largest diagonal entry to every diagonal entry (and to added)', () => {
    const a = Float64Array.of(2, 5, 5, 8);
    const added = Float64Array.of(1, 0);
    expect(smallDense.addJitter(a, 2, added, 0.25)).toBe(2);
    expect(Array.from(a)).toEqual([4, 5, 5, 10]);
    expect(Array.from(added)).toEqual([3, 2]);
    const d = Float64Array.of(1e14, 0, 0, 3);
    smallDense.addJitter(d, 2);
    expect(d[3]).toBe(4);
    expect(d[0]).toBe(1e14 + 1);
  });
});
