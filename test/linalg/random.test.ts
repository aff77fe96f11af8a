import { boxMuller, openUniform, xoshiro128ss } from '../../src/linalg/random.js';

describe('the seeded generator', () => {
  test('xoshiro128** from state (1, 2, 3, 4) starts with the reference output 11520, 0, 5927040', () => {
    // Blackman & Vigna's reference C code gives these first outputs for s = {1, 2, 3, 4}.
    const next = xoshiro128ss(1, 2, 3, 4);
    expect([next(), next(), next()]).toEqual([11520, 0, 5927040]);
  });

  test('openUniform stays strictly inside (0, 1)', () => {
    expect(openUniform(() => 0)).toBe(2 ** -54);
    // All 53 bits set: (2⁵³ − 1 + 0.5)/2⁵³ rounds to 1 in float64, so it is held just below 1.
    expect(openUniform(() => 0xffffffff)).toBe(1 - 2 ** -53);
  });

  test('Box–Muller of u = v = 0.5 gives ±√(2 ln 2) on the cosine and 0 on the sine', () => {
    const normal = boxMuller(() => 0.5);
    expect(normal()).toBeCloseTo(-Math.sqrt(2 * Math.LN2), 15);
    expect(normal()).toBeCloseTo(0, 15);
  });
});
