import { observedSums } from '../../src/analysis/observedSums.js';

describe('observedSums', () => {
  test('sums and counts only the observed entries (worked by hand)', () => {
    // 2×3, row 0 = [1, 2, (9)], row 1 = [(9), 4, -1]; the (9) are masked out.
    const data = Float64Array.of(1, 2, 9, 9, 4, -1);
    const mask = Uint8Array.of(1, 1, 0, 0, 1, 1);
    const s = observedSums({ rows: 2, cols: 3, data, mask });
    expect(Array.from(s.rowSums)).toEqual([3, 3]);
    expect(Array.from(s.rowCounts)).toEqual([2, 2]);
    expect(Array.from(s.colSums)).toEqual([1, 6, -1]);
    expect(Array.from(s.colCounts)).toEqual([1, 2, 1]);
  });

  test('a null mask counts every entry; an unobserved column sums to 0 with count 0', () => {
    const all = observedSums({ rows: 2, cols: 2, data: Float32Array.of(0.5, 1, 2, 3), mask: null });
    expect(Array.from(all.rowSums)).toEqual([1.5, 5]);
    expect(Array.from(all.colCounts)).toEqual([2, 2]);
    const none = observedSums({ rows: 1, cols: 2, data: Float64Array.of(NaN, 7), mask: Uint8Array.of(0, 1) });
    expect(Array.from(none.colSums)).toEqual([0, 7]);
    expect(Array.from(none.colCounts)).toEqual([0, 1]);
  });
});
