import { sourceForgettingSpec } from '../../src/viz/sources.js';
import { dataOf, markItems, renderClean } from './helpers.js';

describe('per-source bars', () => {
  const sources = [
    { source: 'python', mean: 0.2, fractionForgotten: 0.9, share: 0.25, examples: 10 },
    { source: 'man', mean: 0.4, fractionForgotten: 0.95, share: 0.75, examples: 20 },
  ];
  it('renders three panels of one bar per source, sorted by mean', async () => {
    const spec = sourceForgettingSpec(sources);
    expect(dataOf(spec).map((r) => [r.source, r.mean, r.fractionForgotten, r.share])).toEqual([
      ['python', 0.2, 0.9, 0.25],
      ['man', 0.4, 0.95, 0.75],
    ]);
    // sorted by a numeric data field (largest mean first), not by a list compiled into an expression
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect((spec as any).hconcat[0].encoding.y.sort).toEqual({ field: 'order', op: 'min' });
    expect(dataOf(spec).map((r) => r.order)).toEqual([1, 0]);
    const svg = await renderClean(spec);
    expect(markItems(svg, 'rect')).toBe(6);
    expect(svg).toContain('fraction forgotten (Z &gt; 0)');
    expect(svg).toContain('share of total forgetting');
  });
});
