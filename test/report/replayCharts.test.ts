import { replayCharts, weightsAreUniform } from '../../src/report/replayCharts.js';

const plan = (weights: number[]) => ({
  weights: Float64Array.from(weights),
  scores: Float64Array.from(weights, (_, j) => j),
  selected: Int32Array.of(0),
  exampleIds: weights.map((_, j) => `e${j}`),
  task: 't',
  replayN: 1,
  temperature: Infinity,
  method: 'lowrank',
});

describe('the charts of the replay section', () => {
  test('equal weights on the examples that have one (zeros aside) are uniform: no weight histogram', () => {
    const r = plan([0.25, 0, 0.25, 0.25, 0, 0.25]);
    expect(weightsAreUniform(r)).toBe(true);
    expect(replayCharts(r)).toEqual(['replay-scores', 'replay-top']);
  });

  test('unequal weights (effective examples (Σw)²/Σw² = 1/0.375 ≈ 2.67 of 3) add the weight histogram', () => {
    const r = plan([0.5, 0.25, 0.25]);
    expect(weightsAreUniform(r)).toBe(false);
    expect(replayCharts(r)).toEqual(['replay-scores', 'replay-weights', 'replay-top']);
  });

  test('no positive weight is not uniform (nothing to draw a bar of)', () => {
    expect(weightsAreUniform(plan([0, 0, 0]))).toBe(false);
  });
});
