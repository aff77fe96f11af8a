import { midranks } from '../../src/linalg/midranks.js';

describe('midranks', () => {
  test('distinct values get their 1-based ranks', () => {
    expect(Array.from(midranks([10, -2, 7, 0.5]))).toEqual([4, 1, 3, 2]);
  });

  test('ties share the mean of the ranks they span (scipy rankdata "average")', () => {
    // sorted: 1 (rank 1), 2 (rank 2), 3, 3 (ranks 3 and 4 → 3.5)
    expect(Array.from(midranks([3, 1, 3, 2]))).toEqual([3.5, 1, 3.5, 2]);
    // all equal: every rank is (1 + 2 + 3) / 3 = 2
    expect(Array.from(midranks(new Float64Array([5, 5, 5])))).toEqual([2, 2, 2]);
  });

  test('an empty sample has no ranks', () => {
    expect(midranks([]).length).toBe(0);
  });
});
