import { calibrationColumns, conformalQuantile, probeConformalScale } from '../../src/completion/conformal.js';

describe('conformal calibration helpers (hand-worked)', () => {
  test('the conformal quantile is the ⌈level·(n + 1)⌉-th smallest score, capped at the largest', () => {
    // n = 9 at level 0.9: rank ⌈9⌉ = 9 → the largest; n = 19: rank ⌈18⌉ = 18
    expect(conformalQuantile([9, 1, 8, 2, 7, 3, 6, 4, 5], 0.9)).toBe(9);
    expect(
      conformalQuantile(
        Array.from({ length: 19 }, (_, i) => 19 - i),
        0.9,
      ),
    ).toBe(18);
    // n = 5 at level 0.5: rank 3
    expect(conformalQuantile([5, 4, 3, 2, 1], 0.5)).toBe(3);
    // n = 2 at level 0.9: rank ⌈2.7⌉ = 3 is capped at 2
    expect(conformalQuantile([0.5, 0.25], 0.9)).toBe(0.5);
    expect(conformalQuantile([], 0.9)).toBeNaN();
  });

  test('a task’s own scale: the conformal quantile of |residual|/sd over its probes, NaN below 9 finite scores at 0.9', () => {
    // scores |r|/sd = 1 … 9 (in a shuffled order, signs ignored); 9 scores at 0.9: rank ⌈9⌉ = 9 → 9
    const r = Float64Array.of(-2, 16, 3, -18, 5, 6, 14, 1, 4);
    const sd = Float64Array.of(1, 2, 1, 2, 1, 1, 2, 1, 1);
    expect(probeConformalScale(r, sd, 0.9)).toBe(9);
    // at 0.5: rank ⌈5⌉ = 5 → 5
    expect(probeConformalScale(r, sd, 0.5)).toBe(5);
    // a zero sd gives an infinite score, which is not counted: 8 finite scores are too few at 0.9
    const sd0 = Float64Array.from(sd);
    sd0[0] = 0;
    expect(probeConformalScale(r, sd0, 0.9)).toBeNaN();
  });

  test('calibration columns: all of them when few, else evenly spread midpoints', () => {
    expect(Array.from(calibrationColumns(3, 5))).toEqual([0, 1, 2]);
    // ⌊(t + ½)·10/4⌋ = ⌊1.25⌋, ⌊3.75⌋, ⌊6.25⌋, ⌊8.75⌋
    expect(Array.from(calibrationColumns(10, 4))).toEqual([1, 3, 6, 8]);
  });
});
