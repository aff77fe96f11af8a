import { screeData, screeSpec } from '../../src/viz/scree.js';
import { dataOf, markItems, renderClean } from './helpers.js';

describe('scree plot', () => {
  const input = { singularValues: [3, 2, 1], r2: [0.5, 0.9], additiveR2: 0.4 };
  it('tabulates singular values, energy shares and R² by rank', () => {
    const rows = screeData(input);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({ rank: 1, singularValue: 3, energyShare: 9 / 14, r2: 0.5 });
    expect(rows[2]).toEqual({ rank: 3, singularValue: 1, energyShare: 1 / 14, r2: null });
  });
  it('renders bars, the R² line and the additive reference line', async () => {
    const spec = screeSpec(input);
    expect(dataOf(spec)).toEqual(screeData(input));
    const svg = await renderClean(spec);
    expect(markItems(svg, 'rect')).toBe(3);
    expect(markItems(svg, 'rule')).toBe(1);
    expect(markItems(svg, 'symbol')).toBe(2); // one point per R² value, none for the missing rank 3
    expect(svg).toContain('additive model R² = 0.4');
    expect(svg).toContain('Singular values');
  });
});
