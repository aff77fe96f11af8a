import { sampleWithoutReplacement } from '../../src/replay/sample.js';
import { replayLogits } from '../../src/replay/softmax.js';
import { ForgetscopeError } from '../../src/util/errors.js';

/**
 * Exact inclusion probabilities of successive sampling without replacement (draw ∝ w, remove,
 * renormalise) by enumerating every ordered draw sequence of length k.
 */
function exactInclusion(w: number[], k: number): number[] {
  const p = new Array<number>(w.length).fill(0);
  const rec = (taken: number[], prob: number): void => {
    if (taken.length === k) {
      for (const j of taken) p[j]! += prob;
      return;
    }
    const rest = w.reduce((s, x, j) => (taken.includes(j) ? s : s + x), 0);
    for (let j = 0; j < w.length; j++) if (!taken.includes(j)) rec([...taken, j], (prob * w[j]!) / rest);
  };
  rec([], 1);
  return p;
}

const logOf = (w: number[]): Float64Array => Float64Array.from(w, (x) => (x > 0 ? Math.log(x) : -Infinity));

describe('sampleWithoutReplacement', () => {
  it('hand check of the enumeration: w = [1/2, 1/4, 1/4], k = 2', () => {
    // P(0 in) = 1/2 + 1/4·(1/2)/(3/4)·2 = 1/2 + 1/3 = 5/6; P(1 in) = P(2 in) = 7/12
    const p = exactInclusion([0.5, 0.25, 0.25], 2);
    expect(p[0]).toBeCloseTo(5 / 6, 14);
    expect(p[1]).toBeCloseTo(7 / 12, 14);
  });

  it('draws each example with its exact inclusion probability (20,000 seeded draws, 5-sigma bound)', () => {
    const w = [0.4, 0.22, 0.15, 0.1, 0.08, 0.05, 0];
    const k = 3;
    const exact = exactInclusion(w, k);
    const trials = 20000;
    const counts = new Array<number>(w.length).fill(0);
    const firstCounts = new Array<number>(w.length).fill(0);
    for (let s = 0; s < trials; s++) {
      const draw = sampleWithoutReplacement(logOf(w), k, { seed: s, keepDrawOrder: true });
      expect(new Set(draw).size).toBe(k);
      for (const j of draw) counts[j]!++;
      firstCounts[draw[0]!]!++;
    }
    for (let j = 0; j < w.length; j++) {
      const f = counts[j]! / trials;
      const sd = Math.sqrt((exact[j]! * (1 - exact[j]!)) / trials);
      expect(Math.abs(f - exact[j]!)).toBeLessThanOrEqual(5 * sd + 1e-12);
      // the first draw follows the weights themselves
      const f1 = firstCounts[j]! / trials;
      expect(Math.abs(f1 - w[j]!)).toBeLessThanOrEqual(5 * Math.sqrt((w[j]! * (1 - w[j]!)) / trials) + 1e-12);
    }
    expect(counts[6]).toBe(0);
    // the test can fail: uniform frequencies (k/N) would be far outside the bound for example 0
    expect(Math.abs(3 / 6 - exact[0]!)).toBeGreaterThan(0.1);
  });

  it('is deterministic for a seed, differs across seeds, and shuffles the draw', () => {
    const lw = replayLogits(
      Float64Array.from({ length: 500 }, (_, j) => Math.sin(j)),
      0.5,
    );
    const a = sampleWithoutReplacement(lw, 40, { seed: 7 });
    const b = sampleWithoutReplacement(lw, 40, { seed: 7 });
    const c = sampleWithoutReplacement(lw, 40, { seed: 8 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const ordered = sampleWithoutReplacement(lw, 40, { seed: 7, keepDrawOrder: true });
    expect([...a].sort((x, y) => x - y)).toEqual([...ordered].sort((x, y) => x - y));
    expect(Array.from(a)).not.toEqual(Array.from(ordered));
  });

  it('never selects excluded examples', () => {
    const n = 400;
    const exclude = new Uint8Array(n);
    for (let j = 0; j < n; j += 2) exclude[j] = 1;
    // excluded examples have the highest scores: they would dominate if exclusion leaked
    const scores = Float64Array.from({ length: n }, (_, j) => (j % 2 === 0 ? 10 : 0.01 * (j % 7)));
    const lw = replayLogits(scores, 0.1, exclude);
    for (let s = 0; s < 50; s++) {
      const draw = sampleWithoutReplacement(lw, 150, { seed: s });
      for (const j of draw) expect(exclude[j]).toBe(0);
    }
    expect(() => sampleWithoutReplacement(lw, 201, { seed: 0 })).toThrow(/only 200/);
  });

  it('respects per-source caps and fills the rest from other sources', () => {
    const n = 300;
    const sources = Array.from({ length: n }, (_, j) => (j < 100 ? 'a' : j < 200 ? 'b' : 'c'));
    // source a is strongly preferred
    const lw = Float64Array.from({ length: n }, (_, j) => (j < 100 ? 0 : -5));
    for (let s = 0; s < 20; s++) {
      const draw = sampleWithoutReplacement(lw, 30, { seed: s, sources, caps: { a: 5, b: 20 } });
      expect(new Set(draw).size).toBe(30);
      const per = { a: 0, b: 0, c: 0 } as Record<string, number>;
      for (const j of draw) per[sources[j]!]!++;
      expect(per.a).toBeLessThanOrEqual(5);
      expect(per.b).toBeLessThanOrEqual(20);
      expect(per.a).toBe(5); // a is preferred, so it always reaches its cap
    }
    expect(() => sampleWithoutReplacement(lw, 30, { seed: 0, sources, caps: { a: 5, b: 5, c: 5 } })).toThrow(
      ForgetscopeError,
    );
  });

  it('handles N in the hundreds of thousands with a small k', () => {
    const n = 300000;
    const lw = new Float64Array(n); // uniform
    const draw = sampleWithoutReplacement(lw, 1000, { seed: 3 });
    expect(new Set(draw).size).toBe(1000);
    // uniform: mean index ≈ (n - 1) / 2 within 5 sd of the mean of 1000 draws
    const mean = draw.reduce((s, x) => s + x, 0) / draw.length;
    expect(Math.abs(mean - (n - 1) / 2)).toBeLessThan((5 * (n / Math.sqrt(12))) / Math.sqrt(1000));
  });
});
