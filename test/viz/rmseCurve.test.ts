import { rmseVersusKSpec } from '../../src/viz/rmseCurve.js';
import { dataOf, markItems, renderClean } from './helpers.js';

describe('RMSE versus k', () => {
  it('draws one line per selection with a band where given', async () => {
    const points = [
      { k: 5, rmse: 0.3, select: 'random', lower: 0.25, upper: 0.35 },
      { k: 30, rmse: 0.2, select: 'random', lower: 0.18, upper: 0.22 },
      { k: 5, rmse: 0.2, select: 'active' },
      { k: 30, rmse: 0.1, select: 'active' },
    ];
    const spec = rmseVersusKSpec(points);
    expect(dataOf(spec).map((r) => [r.k, r.rmse, r.select])).toEqual(points.map((p) => [p.k, p.rmse, p.select]));
    const svg = await renderClean(spec);
    expect(markItems(svg, 'line')).toBe(2);
    expect(markItems(svg, 'area')).toBe(1);
    expect(svg).toContain('Completion error versus number of measured examples');
  });
});
