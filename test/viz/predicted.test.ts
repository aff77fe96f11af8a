import { predictedVsTrueData, predictedVsTrueSpec } from '../../src/viz/predicted.js';
import { markItems, renderClean } from './helpers.js';

describe('predicted vs true', () => {
  const truth = Float64Array.of(0.1, 0.2, 0.3, 0.4, 0.5);
  const prediction = Float64Array.of(0.1, 0.3, 0.2, 0.4, 0.9);
  it('scores the unmeasured columns only (hand-computed RMSE)', () => {
    const d = predictedVsTrueData({ truth, prediction, known: [0, 3] });
    // unmeasured: columns 1, 2, 4 → errors 0.1, −0.1, 0.4 → RMSE = sqrt(0.18 / 3)
    expect(d.rmse).toBeCloseTo(Math.sqrt(0.18 / 3), 12);
    expect(d.scored).toBe(3);
    expect(d.points.filter((p) => p.kind === 'measured').map((p) => p.example)).toEqual([0, 3]);
    expect(d.range).toEqual([0.1, 0.9]);
  });
  it('thins unmeasured points but keeps every measured one', () => {
    const d = predictedVsTrueData({ truth, prediction, known: [3] }, 2);
    // thinIndices(5, 2) = [0, 3]; plus the measured column 3 → points 0 (predicted), 3 (measured)
    expect(d.points.map((p) => [p.example, p.kind])).toEqual([
      [0, 'predicted'],
      [3, 'measured'],
    ]);
    expect(d.drawn).toBe(2);
  });
  it('renders the points and the identity line', async () => {
    const spec = predictedVsTrueSpec({ truth, prediction, known: [0, 3], task: 't9', method: 'lowrank' });
    const svg = await renderClean(spec);
    expect(markItems(svg, 'symbol')).toBe(5);
    expect(markItems(svg, 'line')).toBe(1);
    expect(svg).toContain('task t9 (lowrank)');
    expect(svg).toContain('RMSE 0.245'); // sqrt(0.06) = 0.2449…
  });
});
