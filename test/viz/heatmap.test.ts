import { forgettingHeatmapSpec, heatmapData } from '../../src/viz/heatmap.js';
import { dataOf, markItems, renderClean } from './helpers.js';

describe('heat map', () => {
  // Z = [[1, 2, 3, 10], [5, 6, 7, 20]]; example factor order [1, 2, 3, 0]; task factor order [1, 0].
  const input = {
    values: Float64Array.of(1, 2, 3, 10, 5, 6, 7, 20),
    rows: 2,
    cols: 4,
    taskIds: ['ta', 'tb'],
    taskFactor: [1, 2],
    exampleFactor: [0.1, 0.4, 0.3, 0.2],
  };

  it('sorts by the factors and averages columns in bins (hand-computed)', () => {
    const d = heatmapData(input, { maxCols: 2 });
    expect(d.rowLabels).toEqual(['tb', 'ta']);
    expect(d.cells.map((c) => [c.task, c.col, c.z, c.n])).toEqual([
      ['tb', 0, 6.5, 2],
      ['tb', 1, 12.5, 2],
      ['ta', 0, 2.5, 2],
      ['ta', 1, 5.5, 2],
    ]);
    // numpy.quantile(|cells| = [2.5, 5.5, 6.5, 12.5], 0.99) = 6.5 + 0.97·6 = 12.32 < 12.5 → clamped
    expect(d.colourLimit).toBeCloseTo(12.32, 12);
    expect(d.clamped).toBe(true);
    expect(d.subtitle.join(' ')).toContain('examples averaged in 2 bins of 2');
    expect(d.title).toBe('Forgetting matrix Z: 2 tasks × 4 examples (binned to 2 × 2 cells)');
    expect(heatmapData(input, { maxCols: 4 }).title).toBe('Forgetting matrix Z: 2 tasks × 4 examples');
  });

  it('labels binned rows with their range and falls back to means without factors', () => {
    const d = heatmapData(
      { values: input.values, rows: 2, cols: 4, taskIds: ['ta', 'tb'] },
      { maxRows: 1, maxCols: 4, clampQuantile: 1 },
    );
    expect(d.rowLabels).toEqual(['tb … ta (2 tasks)']);
    // column means [3, 4, 5, 15] → order [3, 2, 1, 0]
    expect(Array.from(d.colOrder)).toEqual([3, 2, 1, 0]);
    expect(d.cells.map((c) => c.z)).toEqual([15, 5, 4, 3]);
    expect(d.colourLimit).toBe(15);
    expect(d.clamped).toBe(false);
    expect(d.subtitle[0]).toContain('row and column means');
  });

  it('takes the factors from the options too (a ForgettingMatrix passes as the input)', () => {
    const { taskFactor, exampleFactor, ...plain } = input;
    const d = heatmapData(plain, { maxCols: 2, taskFactor, exampleFactor });
    expect(d.cells).toEqual(heatmapData(input, { maxCols: 2 }).cells);
    expect(d.subtitle[0]).toContain('rank-1 factors');
  });

  it('draws missing blocks as null (grey) cells', async () => {
    const masked = { ...input, mask: Uint8Array.of(1, 1, 1, 1, 0, 0, 0, 0) };
    const d = heatmapData(masked, { maxCols: 4 });
    expect(d.cells.filter((c) => c.task === 'tb').every((c) => c.z === null && c.n === 0)).toBe(true);
    const svg = await renderClean(forgettingHeatmapSpec(masked, { maxCols: 4 }));
    expect(markItems(svg, 'rect')).toBe(8);
    expect((svg.match(/fill="#d9d9d9"/g) ?? []).length).toBe(4);
  });

  it('compiles cleanly, renders one rect per cell, states the binning in the title and centres the scale at 0', async () => {
    const spec = forgettingHeatmapSpec(input, { maxCols: 2 });
    expect(dataOf(spec)).toEqual(heatmapData(input, { maxCols: 2 }).cells);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const scale = (spec as any).encoding.color.scale;
    expect(scale.domainMid).toBe(0);
    expect(scale.domain[0]).toBe(-scale.domain[1]);
    const svg = await renderClean(spec);
    expect(markItems(svg, 'rect')).toBe(4);
    expect(svg).toContain('Forgetting matrix Z: 2 tasks × 4 examples (binned to 2 × 2 cells)');
    expect(svg).toContain('examples averaged in 2 bins of 2');
  });
});
