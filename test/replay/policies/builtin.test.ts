import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { effectiveSupport } from '../../../src/replay/autoTemperature.js';
import { replayPolicy } from '../../../src/replay/policies/registry.js';
import { facilityLocation, nearestTrainRow } from '../../../src/replay/policies/builtin.js';
import type { PolicyInput } from '../../../src/replay/policies/types.js';

const ctx = { replayN: 2, temperature: 0.1, autoSupport: 2 };
const ids = (n: number): string[] => Array.from({ length: n }, (_, j) => `e${j}`);
const setOf = (w: Float64Array): number[] => Array.from(w, (x, j) => (x > 0 ? j : -1)).filter((j) => j >= 0);

describe('replay policies: weights on hand-worked cases', () => {
  it('uniform: 1/4 on each of the four examples that are not excluded', () => {
    const w = replayPolicy('uniform').weigh(
      { scores: Float64Array.of(9, 1, 2, 3, 4), exclude: Uint8Array.of(1, 0, 0, 0, 0) },
      ctx,
    );
    expect(Array.from(w.weights)).toEqual([0, 0.25, 0.25, 0.25, 0.25]);
    expect(w.temperature).toBe(Infinity);
  });

  it('topk: uniform over the autoSupport · replayN = 4 highest scores, excluded ones skipped', () => {
    const scores = Float64Array.of(0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 0.95);
    const w = replayPolicy('topk').weigh({ scores, exclude: Uint8Array.of(0, 0, 0, 0, 0, 0, 1) }, ctx);
    expect(setOf(w.weights)).toEqual([0, 2, 3, 4]);
    for (const j of [0, 2, 3, 4]) expect(w.weights[j]).toBe(0.25);
  });

  it('surprise and gradient: the replayN examples with the largest side value', () => {
    const input: PolicyInput = {
      scores: new Float64Array(5),
      side: Float64Array.of(1, 5, 3, 4, 6),
      exclude: Uint8Array.of(0, 0, 0, 0, 1),
    };
    for (const name of ['surprise', 'gradient']) {
      const w = replayPolicy(name).weigh(input, ctx);
      expect(setOf(w.weights)).toEqual([1, 3]);
      expect(w.weights[1]).toBe(0.5);
    }
    expect(() => replayPolicy('surprise').weigh({ scores: new Float64Array(5) }, ctx)).toThrow(/needs a side row/);
  });

  it('neighbour: the train row closest on the measured examples, measured values kept, top budget', () => {
    const train = ForgettingMatrix.fromRows(
      [
        [0, 0, 1, 1],
        [1, 0.8, 0, 0.1],
        [0.5, 0.5, 0.5, 0.5],
      ],
      { taskIds: ['a', 'b', 'c'], exampleIds: ids(4) },
    );
    const known = { columns: Int32Array.of(0, 2), values: Float64Array.of(0.9, 0.05) };
    // squared errors: a 0.81+0.9025, b 0.01+0.0025, c 0.16+0.2025 → b
    expect(nearestTrainRow(train, known)).toBe(1);
    const w = replayPolicy('neighbour').weigh({ scores: new Float64Array(4), train, known }, ctx);
    expect(Array.from(w.scores!)).toEqual([0.9, 0.8, 0.05, 0.1]);
    expect(setOf(w.weights)).toEqual([0, 1]);
  });

  it('neighbour: measured columns without a value each are a shape error', () => {
    const train = ForgettingMatrix.fromRows([[0, 1]], { taskIds: ['a'], exampleIds: ids(2) });
    const known = { columns: Int32Array.of(0, 1), values: Float64Array.of(0.5) };
    expect(() => nearestTrainRow(train, known)).toThrow(
      expect.objectContaining({ code: 'shape', message: expect.stringContaining('2 measured columns but 1') }),
    );
  });

  it('softmax and oracle: softmax(score / T); oracle refuses a row that is not fully measured', () => {
    const scores = Float64Array.of(0, 0.1, 0.2, -100);
    const w = replayPolicy('softmax').weigh({ scores }, ctx);
    // exp(0), exp(1), exp(2) over their sum; exp(-1000) underflows
    const z = 1 + Math.E + Math.E ** 2;
    expect(w.weights[0]).toBeCloseTo(1 / z, 14);
    expect(w.weights[2]).toBeCloseTo(Math.E ** 2 / z, 14);
    expect(() => replayPolicy('oracle').weigh({ scores, measured: Uint8Array.of(1, 1, 0, 1) }, ctx)).toThrow(
      /example 2 is not/,
    );
    const o = replayPolicy('oracle').weigh(
      { scores, measured: Uint8Array.of(1, 1, 0, 1), exclude: Uint8Array.of(0, 0, 1, 0) },
      ctx,
    );
    expect(o.weights[1]).toBeCloseTo(Math.E / (1 + Math.E), 14);
  });

  it('auto: the weights have an effective support of autoSupport · replayN examples', () => {
    const scores = Float64Array.from({ length: 50 }, (_, j) => Math.sin(j) * 0.4);
    const w = replayPolicy('auto').weigh({ scores }, { ...ctx, replayN: 5 });
    const h = -w.weights.reduce((s, x) => s + (x > 0 ? x * Math.log(x) : 0), 0);
    expect(Math.exp(h)).toBeCloseTo(10, 6);
    expect(effectiveSupport(scores, w.temperature)).toBeCloseTo(10, 6);
  });

  it('optimistic: ranks by the interval upper end where predicted, the measured value where measured', () => {
    const w = replayPolicy('optimistic').weigh(
      {
        scores: Float64Array.of(0.1, 0.2, 0.3, 0.0),
        upper: Float64Array.of(0.5, 0.9, 0.35, 0.05),
        measured: Uint8Array.of(0, 1, 0, 0),
      },
      { ...ctx, replayN: 1 },
    );
    expect(Array.from(w.scores!)).toEqual([0.5, 0.2, 0.35, 0.05]);
    expect(w.weights[0]).toBeGreaterThan(w.weights[2]!);
    expect(() => replayPolicy('optimistic').weigh({ scores: new Float64Array(3) }, ctx)).toThrow(
      /prediction intervals/,
    );
  });

  it('coverage: facility location skips a duplicate of an example already chosen', () => {
    // factors: e0 = e1 = (1, 0), e2 = (0, 1), e3 = (0.6, 0.8); p = (1, 1, 0.9, 0)
    // round 1 gains: e0 2, e1 2, e2 0.9, e3 0.6 + 0.6 + 0.72 = 1.92 → e0; round 2: e1 0, e2 0.9, e3 0.72 → e2
    const factors = { rank: 2, data: Float64Array.of(1, 0, 1, 0, 0, 1, 0.6, 0.8) };
    expect(Array.from(facilityLocation(Float64Array.of(1, 1, 0.9, 0), factors, 2))).toEqual([0, 2]);
    // with e0 excluded from replay it is still covered: e1 (gain 2) first, then e2
    expect(Array.from(facilityLocation(Float64Array.of(1, 1, 0.9, 0), factors, 2, Uint8Array.of(1, 0, 0, 0)))).toEqual([
      1, 2,
    ]);
    const w = replayPolicy('coverage').weigh({ scores: Float64Array.of(1, 1, 0.9, 0), factors }, ctx);
    expect(Array.from(w.weights)).toEqual([0.5, 0, 0.5, 0]);
  });
});
