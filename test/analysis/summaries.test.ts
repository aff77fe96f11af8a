import { sampleCorrelation, sampleRankCorrelation } from 'simple-statistics';
import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import { summarizeExamples, topForgotten } from '../../src/analysis/summarizeExamples.js';
import { hasExampleMeta, summarizeBySource } from '../../src/analysis/summarizeBySource.js';
import { summarizeTasks } from '../../src/analysis/summarizeTasks.js';
import {
  correlate,
  correlateSimilarity,
  correlateTaskMetadata,
  midranks,
  pearson,
  spearman,
} from '../../src/analysis/correlations.js';
import { seededGaussian } from '../../src/linalg/random.js';

// A 2×4 matrix worked by hand; example e1 is missing for task t1.
const z = new ForgettingMatrix({
  values: Float64Array.of(0.2, 0.4, -0.1, 0.3, 0.6, NaN, 0.1, -0.3),
  observed: Uint8Array.of(1, 1, 1, 1, 1, 0, 1, 1),
  taskIds: ['t0', 't1'],
  exampleIds: ['e0', 'e1', 'e2', 'e3'],
  taskMeta: [
    { lr: 1e-4, steps: 30 },
    { lr: 3e-4, steps: 60 },
  ],
  exampleMeta: [
    { source: 'web', text: 'a' },
    { source: 'code', text: 'b' },
    { source: 'web', text: 'c' },
    { source: 'code', text: 'd' },
  ],
});

describe('summaries, worked by hand', () => {
  test('per-example mean, max, min, fraction forgotten over observed entries', () => {
    const s = summarizeExamples(z);
    expect(Array.from(s.mean)).toEqual([0.4, 0.4, 0, 0]);
    expect(Array.from(s.max)).toEqual([0.6, 0.4, 0.1, 0.3]);
    expect(Array.from(s.min)).toEqual([0.2, 0.4, -0.1, -0.3]);
    expect(Array.from(s.fractionForgotten)).toEqual([1, 1, 0.5, 0.5]);
    expect(Array.from(s.observed)).toEqual([2, 1, 2, 2]);
  });

  test('most-forgotten examples carry their metadata, ties by column order', () => {
    const top = topForgotten(z, summarizeExamples(z), { count: 3 });
    expect(top.map((t) => t.example)).toEqual(['e0', 'e1', 'e2']);
    expect(top[1]!.meta).toEqual({ source: 'code', text: 'b' });
    expect(topForgotten(z, summarizeExamples(z), { count: 1, by: 'max' })[0]!.example).toBe('e0');
  });

  test('per-source mean, fraction forgotten and share of the total', () => {
    // web cells: 0.2, −0.1, 0.6, 0.1 → sum 0.8, mean 0.2, 3/4 positive
    // code cells: 0.4, 0.3, −0.3 → sum 0.4, mean 0.1333…, 2/3 positive; total 1.2
    const s = summarizeBySource(z);
    expect(s.map((r) => r.source)).toEqual(['web', 'code']);
    expect(s[0]!.mean).toBeCloseTo(0.2, 15);
    expect(s[0]!.fractionForgotten).toBe(0.75);
    expect(s[0]!.share).toBeCloseTo(0.8 / 1.2, 15);
    expect(s[0]!.positiveShare).toBeCloseTo(0.9 / 1.6, 15);
    expect(s[1]!.mean).toBeCloseTo(0.4 / 3, 15);
    expect(s[1]!.fractionForgotten).toBeCloseTo(2 / 3, 15);
    expect(s[1]!.share).toBeCloseTo(0.4 / 1.2, 15);
    expect(s[1]!.observed).toBe(3);
    expect(s[0]!.examples).toBe(2);
    expect(hasExampleMeta(ForgettingMatrix.fromRows([[1, 2]]))).toBe(false);
    expect(summarizeBySource(ForgettingMatrix.fromRows([[1, 2]]))).toEqual([]);
  });

  test('per-task mean, max, fraction forgotten and the rank-1 scalar passed through', () => {
    const t = summarizeTasks(z, Float64Array.of(2, 3));
    expect(t.mean[0]).toBeCloseTo(0.2, 15);
    expect(t.mean[1]).toBeCloseTo(0.4 / 3, 15);
    expect(Array.from(t.max)).toEqual([0.4, 0.6]);
    expect(Array.from(t.fractionForgotten)).toEqual([0.75, 2 / 3]);
    expect(Array.from(t.rankOneScalar!)).toEqual([2, 3]);
    expect(summarizeTasks(z).rankOneScalar).toBeNull();
  });
});

describe('correlations', () => {
  test('task metadata: lr, steps and lr×steps by default, hand-checked', () => {
    const meta = [
      { lr: 1, steps: 1 },
      { lr: 2, steps: 2 },
      { lr: 3, steps: 1 },
      { lr: 4, steps: 2 },
      { lr: 5, steps: null },
    ];
    const y = [1, 2, 3, 4, 10];
    const out = correlateTaskMetadata(y, meta);
    expect(out.map((c) => c.key)).toEqual(['lr', 'steps', 'lr×steps']);
    expect(out[0]!.n).toBe(5);
    expect(out[0]!.spearman).toBeCloseTo(1, 15);
    // steps over the 4 tasks that have it: x = [1,2,1,2], y = [1,2,3,4]: r = 1/√5 (by hand).
    expect(out[1]!.n).toBe(4);
    expect(out[1]!.pearson).toBeCloseTo(1 / Math.sqrt(5), 14);
    // lr×steps = [1,4,3,8] vs [1,2,3,4]: ranks [0,2,1,3] vs [0,1,2,3] → ρ = 0.8.
    expect(out[2]!.spearman).toBeCloseTo(0.8, 14);
    expect(correlate([1, 1, 1], [1, 2, 3]).pearson).toBeNaN();
  });

  test('typed Pearson and midrank Spearman agree with simple-statistics', () => {
    const draw = seededGaussian(21);
    const x = Float64Array.from({ length: 500 }, () => Math.round(draw() * 3) / 3);
    const y = Float64Array.from(x, (v) => v + draw());
    expect(pearson(x, y)).toBeCloseTo(sampleCorrelation(Array.from(x), Array.from(y)), 12);
    expect(spearman(x, y)).toBeCloseTo(sampleRankCorrelation(Array.from(x), Array.from(y)), 12);
    expect(Array.from(midranks(Float64Array.of(10, 20, 10)))).toEqual([1.5, 3, 1.5]);
  });

  test('similarity: pooled and per-task over observed cells', () => {
    const sim = Float64Array.of(0.1, 0.9, 0.2, 0.4, 0.5, 123, NaN, 0.2);
    const out = correlateSimilarity(z, sim);
    // observed cells with finite similarity: t0 all four; t1 e0 and e3 (e1 missing, e2 NaN).
    const zs = [0.2, 0.4, -0.1, 0.3, 0.6, -0.3];
    const ss = [0.1, 0.9, 0.2, 0.4, 0.5, 0.2];
    expect(out.pooled.n).toBe(6);
    expect(out.pooled.pearson).toBeCloseTo(sampleCorrelation(zs, ss), 12);
    expect(out.pooled.spearman).toBeCloseTo(sampleRankCorrelation(zs, ss), 12);
    expect(out.perTaskPearson[0]).toBeCloseTo(sampleCorrelation(zs.slice(0, 4), ss.slice(0, 4)), 12);
    expect(out.perTaskPearson[1]).toBeNaN();
    expect(out.meanPerTaskPearson).toBeCloseTo(out.perTaskPearson[0]!, 15);
  });
});
