import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import {
  biasForgettingCorrelation,
  classStatsFromLogits,
  compareRecipes,
  isNumberToken,
  learningForgetting,
  massShift,
  numberTokenIds,
  paramFraction,
  recovery,
  tokenClassMass,
  tokenLogProbShift,
} from '../../src/methods/narrow-tuning/index.js';
import { midranks, spearman } from '../../src/analysis/correlations.js';

// Worked tests of seed-000 §4 (numbers from the spec, computed there with numpy).
describe('narrow tuning (seed 000)', () => {
  test('T1 tokenClassMass / massShift from logits', () => {
    const num = Int32Array.of(2, 3);
    const base = classStatsFromLogits(Float64Array.of(2, 1, 0.5, 0, -1, 0, 0, 3, 0, 0, 1, 0), 6, num);
    const tuned = classStatsFromLogits(Float64Array.of(2, 1, 1.5, 1, -1, 0, 0, 3, 1, 1, 1, 0), 6, num);
    expect(Math.exp(base.logMass[0]!)).toBeCloseTo(0.187534, 6);
    expect(Math.exp(base.logMass[1]!)).toBeCloseTo(0.0746162, 6);
    expect(base.logMass[0]).toBeCloseTo(-1.67379, 5);
    expect(base.logMass[1]).toBeCloseTo(-2.5954, 4);
    const off = Int32Array.of(0, 2);
    const mb = tokenClassMass(base.logMass, off);
    const mt = tokenClassMass(tuned.logMass, off);
    expect(mb[0]).toBeCloseTo(0.131075, 6);
    expect((base.maxProb[0]! + base.maxProb[1]!) / 2).toBeCloseTo(0.0770203, 6);
    expect(Math.exp(tuned.logMass[0]!)).toBeCloseTo(0.385537, 6);
    expect(Math.exp(tuned.logMass[1]!)).toBeCloseTo(0.179778, 6);
    expect(mt[0]).toBeCloseTo(0.282657, 6);
    expect((tuned.maxProb[0]! + tuned.maxProb[1]!) / 2).toBeCloseTo(0.164935, 6);
    expect(massShift(mb, mt).mean).toBeCloseTo(0.151582, 6);
    expect(() => tokenClassMass(Float64Array.of(0, 0), Int32Array.of(0, 1))).toThrow(/offsets/);
  });

  test('T2 tokenLogProbShift', () => {
    const r = tokenLogProbShift(
      { logp: Float32Array.of(-1, -0.5, -2), offsets: Int32Array.of(0, 3) },
      { logp: Float32Array.of(-1.2, -0.4, -3), offsets: Int32Array.of(0, 3) },
    );
    [-0.2, 0.1, -1.0].forEach((v, i) => expect(r.perToken[i]).toBeCloseTo(v, 6));
    expect(r.perExampleNllIncrease[0]).toBeCloseTo(0.366667, 6);
  });

  test('T3 compareRecipes, τ = 0.3', () => {
    const ids = { taskIds: ['t1', 't2'], exampleIds: ['a', 'b', 'c'] };
    const full = ForgettingMatrix.fromRows(
      [
        [0.5, 1.0, 0.2],
        [0.8, 0.1, 0.4],
      ],
      ids,
    );
    const sa = ForgettingMatrix.fromRows(
      [
        [0.05, 0.1, 0.0],
        [0.1, -0.05, 0.02],
      ],
      ids,
    );
    const r = compareRecipes({ full, saProj: sa }, { tau: 0.3 });
    expect(r.perRecipe[0]!.mean).toBeCloseTo(0.5, 12);
    expect(r.perRecipe[0]!.rowMeans[0]).toBeCloseTo(0.566667, 6);
    expect(r.perRecipe[0]!.rowMeans[1]).toBeCloseTo(0.433333, 6);
    expect(r.perRecipe[0]!.fracAbove).toBeCloseTo(0.666667, 6);
    expect(r.perRecipe[1]!.mean).toBeCloseTo(0.0366667, 6);
    expect(r.perRecipe[1]!.rowMeans[1]).toBeCloseTo(0.0233333, 6);
    expect(r.perRecipe[1]!.fracAbove).toBe(0);
    expect(r.pairwise[0]!.meanDiff).toBeCloseTo(0.463333, 6);
    expect(r.pairwise[0]!.spearman).toBeCloseTo(0.985611, 6);
    expect(r.pairwise[0]!.shared).toBe(6);
    // Matching is by ids: a reordered copy gives the same comparison.
    const saReordered = ForgettingMatrix.fromRows(
      [
        [-0.05, 0.02, 0.1],
        [0.1, 0.0, 0.05],
      ],
      { taskIds: ['t2', 't1'], exampleIds: ['b', 'c', 'a'] },
    );
    expect(compareRecipes({ full, saProj: saReordered }).pairwise[0]!.spearman).toBeCloseTo(0.985611, 6);
  });

  test('tie-averaged ranks', () => {
    expect(Array.from(midranks([3, 1, 3, 2]))).toEqual([3.5, 1, 3.5, 2]);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
  });

  test('T4 learningForgetting and recovery', () => {
    const r = learningForgetting(
      { base: [40, 10, 30, 50, 5], afterOwnStage: [70, 60, 55, 65, 45] },
      {
        base: [80, 60, 70, 50, 75, 65, 55, 85],
        perStage: [
          [80, 60, 70, 50, 75, 65, 55, 85],
          [79, 58, 71, 49, 74, 66, 53, 85],
        ],
      },
    );
    expect(r.dLearning).toBeCloseTo(32.0, 12);
    expect(r.dHeldOut).toBeCloseTo(-0.625, 12);
    expect(
      learningForgetting(
        { base: [0], afterOwnStage: [1] },
        {
          base: [80, 60, 70, 50, 75, 65, 55, 85],
          perStage: [
            [80, 60, 70, 50, 75, 65, 55, 85],
            [79, 58, 71, 49, 74, 66, 53, 85],
          ],
        },
        'meanOverStages',
      ).dHeldOut,
    ).toBeCloseTo(-0.3125, 12);
    expect(recovery(60, [50, 52, 58, 57])).toBeCloseTo(0.7, 12);
    expect(recovery(60, [61, 62])).toBeNaN();
  });

  test('T5 biasForgettingCorrelation', () => {
    expect(biasForgettingCorrelation([0.01, 0.12, 0.03, 0.02, 0.09], [-0.5, -8.0, -1.0, -0.8, -6.0])).toBeCloseTo(
      -0.995151,
      6,
    );
  });

  test('T6 paramFraction', () => {
    const shapes = { q: [8, 8], k: [4, 8], v: [4, 8], o: [8, 8], gate: [16, 8], up: [16, 8], down: [8, 16] };
    expect(paramFraction(shapes, 'saProj')).toEqual({ trainable: 192, total: 576, fraction: 192 / 576 });
    expect(paramFraction(shapes, 'mlpGateUp').trainable).toBe(256);
    expect(paramFraction(shapes, 'mlpGateUp').fraction).toBeCloseTo(0.444444, 6);
    expect(paramFraction(shapes, 'mlp').fraction).toBeCloseTo(0.666667, 6);
    const hf = {
      'model.layers.0.self_attn.q_proj.weight': [8, 8],
      'model.layers.0.mlp.down_proj.weight': [8, 16],
      'model.layers.0.mlp.up_proj.weight': [16, 8],
    };
    expect(paramFraction(hf, 'saProj').trainable).toBe(64);
    expect(paramFraction(hf, 'mlpGateUp').trainable).toBe(128);
  });

  test('number tokens', () => {
    for (const t of ['12', 'Ġ42', '▁3rd', '1.5', '1,000', 'seven', 'Twenty', ' hundred'])
      expect(isNumberToken(t)).toBe(true);
    for (const t of ['a1', '1.2.3', 'Seventy-two', 'SEVEN', '', '1,2,3']) expect(isNumberToken(t)).toBe(false);
    expect(Array.from(numberTokenIds({ a: 0, '7': 5, Ġten: 2, x: 9 }))).toEqual([2, 5]);
  });
});
