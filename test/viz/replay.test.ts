import { markItems, renderClean, sixExamplePlan } from './helpers.js';
import { replayScoreDistributionSpec, scoreDistributionData } from '../../src/viz/replay.js';
import { replayWeightDistributionSpec, weightDistributionData } from '../../src/viz/replay.js';
import { topReplayedData, topReplayedSpec } from '../../src/viz/replay.js';
import { renderSvg } from '../../src/viz/render.js';

describe('replay weights', () => {
  // weights: two excluded (0), others 10^-1, 10^-1, 10^-2, 10^-3 (not normalised; only logs matter here)
  const weights = Float64Array.of(0.1, 0, 0.1, 0.01, 0, 0.001);
  it('bins log10 weights of the positive weights, split by sampled', () => {
    const d = weightDistributionData({ weights, selected: [0] }, 2);
    expect(d.zero).toBe(2);
    expect(d.positive).toBe(4);
    // log10 range [−3, −1], two bins [−3, −2) and [−2, −1]
    expect(d.bins).toEqual([
      { lo: -3, hi: -2, status: 'not sampled', count: 1 },
      { lo: -2, hi: -1, status: 'not sampled', count: 2 },
      { lo: -2, hi: -1, status: 'sampled', count: 1 },
    ]);
    expect(d.uniformLog10).toBeCloseTo(-Math.log10(4), 14);
    // (Σw)²/Σw² = 0.211² / 0.020101
    expect(d.effectiveExamples).toBeCloseTo(0.211 ** 2 / 0.020101, 12);
  });
  it('renders the histogram with the uniform reference', async () => {
    const spec = replayWeightDistributionSpec({ weights, selected: [0], temperature: 0.1 }, { bins: 2 });
    const svg = await renderClean(spec);
    expect(markItems(svg, 'rect')).toBe(3);
    expect(markItems(svg, 'rule')).toBe(1);
    expect(svg).toContain('2 excluded');
    expect(svg).toContain('uniform 1/N');
  });
  it('lists the top examples with snippets and sources', async () => {
    const input = {
      weights,
      selected: [2],
      exampleIds: ['a', 'b', 'c', 'd', 'e', 'f'],
      exampleMeta: [{ source: 'man', text: 'line one\nline\ttwo' }, {}, { source: 'python', text: 'x' }, {}, {}, {}],
    };
    const rows = topReplayedData(input, 3);
    expect(rows.map((r) => [r.example, r.weight, r.source, r.selected])).toEqual([
      ['a', 0.1, 'man', false],
      ['c', 0.1, 'python', true],
      ['d', 0.01, 'unknown', false],
    ]);
    expect(rows[0]!.label).toBe('a  line one⏎line⇥two');
    const svg = await renderClean(topReplayedSpec(input, { top: 3 }));
    expect(markItems(svg, 'rect')).toBe(3);
    expect(svg).toContain('Top 3 examples by replay weight');
  });
});

describe('the replay score chart explains the plan', () => {
  const plan = sixExamplePlan;

  it('the score histogram: statuses, the cut at the lowest pool score, the sampled scores', () => {
    const d = scoreDistributionData(plan, 4);
    expect(d.cut).toBe(0.5);
    expect([d.pool, d.live, d.heldOut]).toEqual([3, 5, 1]);
    expect(d.sampledScores).toEqual([0.9, 0.7]);
    const total = (st: string): number => d.bins.filter((b) => b.status === st).reduce((s, b) => s + b.count, 0);
    expect([total('sampled'), total('weight > 0, not sampled'), total('weight 0'), total('held out')]).toEqual([
      2, 1, 2, 1,
    ]);
    // no cut when the pool is not the top of the scores (a side-row policy) or when every weight is positive
    expect(scoreDistributionData({ ...plan, weights: Float64Array.of(0, 0, 0, 0.5, 0.5, 0) }).cut).toBeNull();
    expect(scoreDistributionData({ ...plan, weights: Float64Array.of(0.3, 0.2, 0.2, 0.2, 0.1, 0) }).cut).toBeNull();
  });

  it('top examples are sorted by score (ties by weight), not by id', () => {
    const rows = topReplayedData(
      {
        ...plan,
        weights: Float64Array.of(0.25, 0.25, 0.25, 0.25, 0, 0),
        scores: Float64Array.of(0.1, 0.5, 0.3, 0.5, 0.9, 0),
      },
      4,
    );
    expect(rows.map((r) => r.example)).toEqual(['e', 'b', 'd', 'c']);
  });

  it('draws the cut and the sampled ticks', async () => {
    const svg = await renderSvg(replayScoreDistributionSpec(plan, { bins: 4 }));
    expect(svg).toContain('replay cut 0.5');
    expect(svg).toContain('only examples scoring ≥ 0.5 can be drawn');
  });
});
