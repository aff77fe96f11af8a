import { dot5 } from '../../../src/completion/methods/unrolled.js';

describe('dot5', () => {
  test('a·b over five entries from offset o (hand-worked)', () => {
    const b = Float64Array.of(9, 1, 2, 3, 4, 5, 9);
    // 1·1 + 2·2 + 3·3 + 4·4 + 5·5 = 55
    expect(dot5(1, 2, 3, 4, 5, b, 1)).toBe(55);
  });
  test('sums from 0 in index order (the general loops order), not in another order', () => {
    // ((((0 + 1e16) + 1) − 1e16) + 1) + 0 = 1: 1e16 + 1 rounds back to 1e16. Pairwise or reversed
    // summation would give 2 or 0.
    const ones = Float64Array.of(1, 1, 1, 1, 1);
    expect(dot5(1e16, 1, -1e16, 1, 0, ones, 0)).toBe(1);
  });
});
