import { binEdges, blockMeans, histogram, orderByDescending, quantile, thinIndices } from '../../src/viz/binning.js';

describe('orderByDescending', () => {
  it('sorts largest first, ties by index, non-finite last', () => {
    expect(Array.from(orderByDescending([0.1, 0.5, 0.3]))).toEqual([1, 2, 0]);
    expect(Array.from(orderByDescending([2, NaN, 2, 3]))).toEqual([3, 0, 2, 1]);
  });
});

describe('binEdges', () => {
  it('splits into contiguous groups whose sizes differ by at most one', () => {
    // floor(k·10/4) for k = 0..4
    expect(Array.from(binEdges(10, 4))).toEqual([0, 2, 5, 7, 10]);
    expect(Array.from(binEdges(3, 10))).toEqual([0, 1, 2, 3]);
    expect(Array.from(binEdges(1000, 150)).slice(0, 4)).toEqual([0, 6, 13, 20]);
  });
});

describe('blockMeans', () => {
  // Z = [[1, 2, 3, 10], [5, 6, 7, 20]]; columns visited in order [1, 2, 3, 0], two bins of two;
  // rows visited in order [1, 0], one row per bin.
  const values = Float64Array.of(1, 2, 3, 10, 5, 6, 7, 20);
  it('averages each block of the reordered matrix', () => {
    const b = blockMeans(values, 4, Int32Array.of(1, 0), Int32Array.of(1, 2, 3, 0), binEdges(2, 2), binEdges(4, 2));
    // row 1: (6+7)/2, (20+5)/2; row 0: (2+3)/2, (10+1)/2
    expect(Array.from(b.means)).toEqual([6.5, 12.5, 2.5, 5.5]);
    expect(Array.from(b.counts)).toEqual([2, 2, 2, 2]);
  });
  it('skips unobserved entries and reports empty blocks as NaN', () => {
    const mask = Uint8Array.of(1, 1, 0, 1, 0, 0, 0, 0);
    const b = blockMeans(
      values,
      4,
      Int32Array.of(0, 1),
      Int32Array.of(1, 2, 3, 0),
      binEdges(2, 2),
      binEdges(4, 2),
      mask,
    );
    expect(b.means[0]).toBe(2); // only (0,1) observed in cols {1,2}
    expect(b.means[1]).toBe(5.5);
    expect(Number.isNaN(b.means[2]!)).toBe(true);
    expect(Array.from(b.counts)).toEqual([1, 2, 0, 0]);
  });
  it('binning all rows and columns into one block gives the grand mean', () => {
    const b = blockMeans(values, 4, Int32Array.of(0, 1), Int32Array.of(0, 1, 2, 3), binEdges(2, 1), binEdges(4, 1));
    expect(b.means[0]).toBeCloseTo(54 / 8, 14);
  });
});

describe('histogram', () => {
  it('counts into equal-width bins, the last bin closed', () => {
    const h = histogram([0, 0.5, 1, 1], { bins: 2 });
    expect(Array.from(h.edges)).toEqual([0, 0.5, 1]);
    expect(Array.from(h.counts)).toEqual([1, 3]);
    expect(h.total).toBe(4);
  });
  it('ignores non-finite values and values outside an explicit range', () => {
    const h = histogram([-1, 0.1, 0.2, 0.7, NaN, Infinity, 2], { bins: 4, min: 0, max: 1 });
    // bins [0,.25) [.25,.5) [.5,.75) [.75,1]
    expect(Array.from(h.counts)).toEqual([2, 0, 1, 0]);
    expect(h.total).toBe(3);
  });
  it('handles edge values exactly (0.3 with width 0.1 is in bin 3)', () => {
    const h = histogram([0.3], { bins: 10, min: 0, max: 1 });
    expect(h.counts[3]).toBe(1);
  });
  it('gives a unit-width bin around a constant input', () => {
    const h = histogram([2, 2], { bins: 1 });
    expect(Array.from(h.edges)).toEqual([1.5, 2.5]);
    expect(Array.from(h.counts)).toEqual([2]);
  });
});

describe('thinIndices and quantile', () => {
  it('keeps every index when small and every ⌈n/max⌉-th otherwise', () => {
    expect(Array.from(thinIndices(3, 5))).toEqual([0, 1, 2]);
    expect(Array.from(thinIndices(10, 4))).toEqual([0, 3, 6, 9]);
  });
  it('interpolates between order statistics like numpy.quantile', () => {
    // numpy.quantile([2, 5.5, 6.5, 12.5], 0.99) = 6.5 + 0.97·6 = 12.32
    expect(quantile([12.5, 2, 6.5, 5.5], 0.99)).toBeCloseTo(12.32, 12);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
  });
});
