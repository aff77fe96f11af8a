import { sampleCorrelation, sampleRankCorrelation } from 'simple-statistics';
import * as corr from '../../src/analysis/correlations.js';
import { seededGaussian } from '../../src/linalg/random.js';
import { handWorked as z } from './helpers/handWorked.js';

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
    const out = corr.correlateTaskMetadata(y, meta);
    expect(out.map((c) => c.key)).toEqual(['lr', 'steps', 'lr×steps']);
    expect(out[0]!.n).toBe(5);
    expect(out[0]!.spearman).toBeCloseTo(1, 15);
    // steps over the 4 tasks that have it: x = [1,2,1,2], y = [1,2,3,4]: r = 1/√5 (by hand).
    expect(out[1]!.n).toBe(4);
    expect(out[1]!.pearson).toBeCloseTo(1 / Math.sqrt(5), 14);
    // lr×steps = [1,4,3,8] vs [1,2,3,4]: ranks [0,2,1,3] vs [0,1,2,3] → ρ = 0.8.
    expect(out[2]!.spearman).toBeCloseTo(0.8, 14);
    expect(corr.correlate([1, 1, 1], [1, 2, 3]).pearson).toBeNaN();
  });

  test('typed Pearson and midrank Spearman agree with simple-statistics', () => {
    const draw = seededGaussian(21);
    const x = Float64Array.from({ length: 500 }, () => Math.round(draw() * 3) / 3);
    const y = Float64Array.from(x, (v) => v + draw());
    expect(corr.pearson(x, y)).toBeCloseTo(sampleCorrelation(Array.from(x), Array.from(y)), 12);
    expect(corr.spearman(x, y)).toBeCloseTo(sampleRankCorrelation(Array.from(x), Array.from(y)), 12);
    expect(Array.from(corr.midranks(Float64Array.of(10, 20, 10)))).toEqual([1.5, 3, 1.5]);
  });

  test('similarity: pooled and per-task over observed cells', () => {
    const sim = Float64Array.of(0.1, 0.9, 0.2, 0.4, 0.5, 123, NaN, 0.2);
    const out = corr.correlateSimilarity(z, sim);
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

describe('midranks and spearman', () => {
  test('tie-averaged ranks', () => {
    expect(Array.from(corr.midranks([3, 1, 3, 2]))).toEqual([3.5, 1, 3.5, 2]);
    expect(corr.spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
  });
});
