import { probeScale } from '../../../src/completion/loo/intervals.js';

describe('probeScale', () => {
  test('probeScale, hand-worked: an exact fit shrinks to sqrt(q/(|K|+q)), a larger residual widens', () => {
    // (0 + 2·1)/((2 + 2)·1) = 1/2; (6 + 2)/(4) = 2; scale 4: (8 + 8)/(4·4) = 1
    expect(probeScale(0, 2, 2, 1)).toBeCloseTo(Math.SQRT1_2, 15);
    expect(probeScale(6, 2, 2, 1)).toBeCloseTo(Math.SQRT2, 15);
    expect(probeScale(8, 2, 2, 4)).toBeCloseTo(1, 15);
    // a residual of exactly σ̄² per measured entry is the typical row: ρ = 1
    expect(probeScale(30 * 0.5, 30, 21, 0.5)).toBeCloseTo(1, 15);
    // a negative rounding residual counts as 0
    expect(probeScale(-1e-18, 2, 2, 1)).toBeCloseTo(Math.SQRT1_2, 15);
  });
});
