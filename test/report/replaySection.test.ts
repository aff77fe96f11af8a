import { meaningfulBest } from '../../src/report/bestMethod.js';
import { standardError } from '../../src/report/stages/evaluation.js';
import { replaySection, completionSection, overviewSection } from '../../src/report/sections.js';
import type { ReportData, ReportMethodScores } from '../../src/report/types.js';
import { scoreDistributionData, topReplayedData, replayScoreDistributionSpec } from '../../src/viz/replay.js';
import { renderSvg } from '../../src/viz/render.js';

const scores = (m: Partial<ReportMethodScores>): ReportMethodScores => ({
  rmse: null,
  f1: null,
  precision: null,
  recall: null,
  auc: null,
  seconds: 0,
  fits: 1,
  ...m,
});

describe('the method table marks a best value only where it differs meaningfully', () => {
  it('standard error over seeds: sample sd / √n', () => {
    // values 1, 2, 3, 4: mean 2.5, sample variance 5/3
    expect(standardError([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3) / 2, 15);
    expect(standardError([0.5])).toBeNull();
    expect(standardError([null, 1, 3])).toBeCloseTo(1, 15); // sd √2, n 2
  });

  it('beyond both the combined standard error and 1 %', () => {
    const methods = {
      lowrank: scores({ rmse: 0.1, f1: 0.991, stderr: { rmse: 0.004, f1: 0.002 } }),
      knn: scores({ rmse: 0.2, f1: 0.993, stderr: { rmse: 0.003, f1: 0.002 } }),
      additive: scores({ rmse: 0.104, f1: 0.99, stderr: { rmse: 0.001, f1: 0.001 } }),
    };
    // RMSE: lowrank 0.100 vs additive 0.104: margin 0.004 < √(0.004² + 0.001²) ≈ 0.00412 → no best
    expect(meaningfulBest(methods, 'rmse', true)).toBeNull();
    // F1 ≈ 0.99 for all: knn leads by 0.002, under 1 % → no best
    expect(meaningfulBest(methods, 'f1', false)).toBeNull();
    const clear = {
      a: scores({ rmse: 0.1, stderr: { rmse: 0.01 } }),
      b: scores({ rmse: 0.2, stderr: { rmse: 0.01 } }),
    };
    expect(meaningfulBest(clear, 'rmse', true)).toBe('a');
    // without standard errors (one seed) the relative tolerance alone decides: 0.2 vs 0.199 is 0.5 %
    expect(meaningfulBest({ a: scores({ auc: 0.2 }), b: scores({ auc: 0.199 }) }, 'auc', false)).toBeNull();
    expect(
      meaningfulBest({ a: scores({ auc: 0.3 }), b: scores({ auc: 0.2 }), c: scores({ auc: null }) }, 'auc', false),
    ).toBe('a');
    expect(meaningfulBest({ a: scores({ rmse: 0.1 }) }, 'rmse', true)).toBeNull();
  });

  it('the table has RMSE first and bolds only the meaningful best', async () => {
    const data = {
      evaluation: {
        methods: {
          'additive-ls': scores({ rmse: 0.2, f1: 0.99, auc: 0.9, stderr: { rmse: 0.002, f1: 0.001 } }),
          lowrank: scores({ rmse: 0.1, f1: 0.991, auc: 0.905, stderr: { rmse: 0.002, f1: 0.001 } }),
        },
        select: 'paper',
        known: 30,
        seeds: [0, 1],
        trainRows: '0-9',
        testRows: '10-12',
      },
    } as unknown as ReportData;
    const s = await completionSection(data, async () => '');
    const html = s!.html;
    const headers = [...html.matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(headers.slice(0, 3)).toEqual(['method', 'RMSE', 'F1']);
    expect(html.match(/class="best"/g)).toHaveLength(1);
    expect(html).toContain('<span class="best">0.1<span class="se"> ± 0.0020</span></span>');
    expect(html).toMatch(/on F1, precision, recall, AUC the methods are level/);
  });

  it('the overview card says "best" only when the lowest RMSE is meaningfully lowest', () => {
    const dataset = {
      name: 'd',
      tasks: 3,
      examples: 4,
      observed: 12,
      mean: 0.1,
      std: 0.1,
      min: 0,
      max: 1,
      fractionForgotten: 0.5,
    };
    const ev = (b: number) => ({
      methods: { a: scores({ rmse: 0.1, stderr: { rmse: 0.001 } }), b: scores({ rmse: b, stderr: { rmse: 0.001 } }) },
      select: 'paper',
      known: 3,
      seeds: [0, 1],
      trainRows: '0',
      testRows: '1',
    });
    const card = (b: number) => overviewSection({ dataset, evaluation: ev(b) } as unknown as ReportData).html;
    expect(card(0.2)).toContain('best completion RMSE (a)');
    expect(card(0.1005)).toContain('lowest completion RMSE (a)');
  });
});

describe('the replay section explains the plan', () => {
  // Six examples; the plan may draw the three highest scores (weight 1/3 each), example 5 is held out.
  const plan = {
    weights: Float64Array.of(1 / 3, 1 / 3, 1 / 3, 0, 0, 0),
    scores: Float64Array.of(0.5, 0.9, 0.7, 0.2, 0.4, 1.5),
    selected: Int32Array.of(2, 1),
    excluded: Uint8Array.of(0, 0, 0, 0, 0, 1),
    exampleIds: ['a', 'b', 'c', 'd', 'e', 'f'],
  };

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

  it('says in words what the default plan replays, and leaves out a one-bar weight histogram', async () => {
    const figures: string[] = [];
    const data = {
      replay: { ...plan, task: 't1', replayN: 2, temperature: Infinity, policy: 'topk', method: 'lowrank' },
    } as unknown as ReportData;
    const s = await replaySection(data, async (name) => {
      figures.push(name);
      return '';
    });
    expect(figures).toEqual(['replay-scores', 'replay-top']);
    expect(s!.html).toContain(
      'Only the 3 examples with the highest predicted forgetting (score ≥ 0.5) can be drawn, each with the same weight 1/3; 2 of them are sampled',
    );
    const order = [...s!.html.matchAll(/<td><code>([a-f])<\/code><\/td>/g)].map((m) => m[1]);
    expect(order).toEqual(['b', 'c', 'a', 'e', 'd']); // f scores highest but is held out
  });
});
