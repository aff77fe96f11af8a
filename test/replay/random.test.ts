import { createReplayRandom } from '../../src/replay/random.js';

const draws = (seed: number, k: number): number[] => {
  const r = createReplayRandom(seed);
  return Array.from({ length: k }, () => r.nextOpen());
};

describe('createReplayRandom', () => {
  it('the same seed gives the same stream; other seeds, including ones that differ only above 2^32, differ', () => {
    expect(draws(7, 5)).toEqual(draws(7, 5));
    const base = draws(0, 5);
    for (const seed of [1, 2 ** 32, -1, Number.MAX_SAFE_INTEGER]) expect(draws(seed, 5)).not.toEqual(base);
  });

  it('nextOpen stays strictly inside (0, 1) and has mean 1/2 (100,000 draws, 5 standard errors)', () => {
    const r = createReplayRandom(3);
    let sum = 0;
    let outside = 0;
    const n = 100_000;
    for (let k = 0; k < n; k++) {
      const u = r.nextOpen();
      if (!(u > 0 && u < 1)) outside++;
      sum += u;
    }
    expect(outside).toBe(0);
    // The sd of a uniform is 1/√12.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan((5 / Math.sqrt(12)) * (1 / Math.sqrt(n)));
  });

  it('nextInt(n) covers 0..n−1 evenly: a chi-square over 10 cells stays below its 0.999 quantile (27.88)', () => {
    const r = createReplayRandom(11);
    const counts = new Array<number>(10).fill(0);
    const n = 50_000;
    for (let k = 0; k < n; k++) counts[r.nextInt(10)]!++;
    // An out-of-range or fractional value would land outside the ten cells.
    expect(counts.length).toBe(10);
    expect(counts.reduce((s, c) => s + c, 0)).toBe(n);
    const chi2 = counts.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.88);
  });

  it('refuses a seed that is not a safe integer', () => {
    for (const bad of [0.5, Number.NaN, 2 ** 53]) expect(() => createReplayRandom(bad)).toThrow(RangeError);
  });
});
