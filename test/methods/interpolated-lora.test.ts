import {
  alphaGrid,
  bestTradeoff,
  consistencyLoss,
  DualMemoryBuffer,
  emaLambda,
  emaRun,
  emaStep,
  factorMergeError,
  interpolateLora,
  lossBarrier,
  ReservoirBuffer,
  weightedReplaySample,
  type LoraPair,
} from '../../src/methods/interpolated-lora/index.js';

const close = (got: ArrayLike<number>, want: number[], digits = 5) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, digits));
};

// Worked tests of seed-004 §4.
describe('interpolated LoRA (seed 004)', () => {
  test('T1 emaStep', () => {
    close(emaStep(Float32Array.of(1, 2), Float32Array.of(3, -2), 0.25), [2.5, -1]);
    close(emaStep(Float32Array.of(1, 2), Float32Array.of(3, -2), 0.99), [1.02, 1.96]);
  });

  test('T2 emaLambda and emaRun', () => {
    close(
      [0, 1, 2, 3].map((k) => emaLambda(k, 0.25)),
      [0, 0.25, 0.25, 0.25],
    );
    close(
      [0, 1, 2, 3].map((k) => emaLambda(k, 0.99)),
      [0, 0.5, 0.666667, 0.75],
    );
    const fast = [1, 3, 5, 7].map((v) => Float32Array.of(v));
    close(
      emaRun(Float32Array.of(0), fast, 0.99).map((x) => x[0]!),
      [1, 2, 3, 4],
    );
    close(
      emaRun(Float32Array.of(0), fast, 0.25).map((x) => x[0]!),
      [1, 2.5, 4.375, 6.34375],
    );
    close(
      emaRun(Float32Array.of(0), fast, 0.25, 1).map((x) => x[0]!),
      [0.75, 2.4375, 4.35938, 6.33984],
    );
  });

  test('T3 interpolateLora and factorMergeError', async () => {
    const p0: LoraPair = {
      A: { rows: 1, cols: 3, data: Float64Array.of(1, 0, 1) },
      B: { rows: 2, cols: 1, data: Float64Array.of(1, 0) },
      alpha: 2,
    };
    const p1: LoraPair = {
      A: { rows: 1, cols: 3, data: Float64Array.of(0, 2, 1) },
      B: { rows: 2, cols: 1, data: Float64Array.of(0, 1) },
      alpha: 2,
    };
    close((await interpolateLora(p0, p1, 0.5, 'factors')).data, [0.5, 1, 1, 0.5, 1, 1]);
    close((await interpolateLora(p0, p1, 0.5, 'delta')).data, [1, 0, 1, 0, 2, 1]);
    expect(await factorMergeError(p0, p1, 0.5)).toBeCloseTo(1.58114, 5);
    expect(await factorMergeError(p0, p1, 0)).toBeCloseTo(0, 12);
  });

  test('T4 lossBarrier', () => {
    const a = alphaGrid(5);
    close(a, [0, 0.25, 0.5, 0.75, 1], 12);
    const r = lossBarrier(a, [1.0, 1.3, 1.6, 1.2, 0.8]);
    close(r.excess, [0, 0.35, 0.7, 0.35, 0], 12);
    expect(r.barrier).toBeCloseTo(0.7, 12);
    expect(r.argAlpha).toBe(0.5);
    expect(r.meanExcess).toBeCloseTo(0.35, 12);
    expect(lossBarrier(a, [0.5, 0.55, 0.7, 1.0, 1.5]).barrier).toBe(0);
    expect(() => lossBarrier([0, 0.5, 0.5], [1, 2, 3])).toThrow(/increase strictly/);
  });

  test('T5 bestTradeoff', () => {
    const r = bestTradeoff(alphaGrid(5), [0.5, 0.55, 0.7, 1.0, 1.5], [2.0, 1.0, 0.7, 0.6, 0.55]);
    close(r.scores, [1.25, 0.775, 0.7, 0.8, 1.025], 12);
    expect(r.alpha).toBe(0.5);
    expect(r.score).toBeCloseTo(0.7, 12);
  });

  test('T6 consistencyLoss', () => {
    expect(consistencyLoss([0.5, -1, 2], [1, -2, 2], 'mse')).toBeCloseTo(0.416667, 6);
    const one = consistencyLoss([0.5, -1, 2], [1, -2, 2], 'oneSided');
    expect(one).toBeCloseTo(0.0833333, 6);
    expect(0.5 * (2.0 + 1.5) + 1 * one).toBeCloseTo(1.83333, 5);
  });

  test('T7 ReservoirBuffer with injected draws', () => {
    const draws: Record<number, number> = { 3: 1, 4: 4, 5: 0 };
    const buf = new ReservoirBuffer<number>(3, (hi) => draws[hi]!);
    const slots = [0, 1, 2, 3, 4, 5].map((x) => buf.add(x));
    expect(slots).toEqual([0, 1, 2, 1, -1, 0]);
    expect(buf.items()).toEqual([5, 3, 2]);
    expect(buf.seen).toBe(6);
    const s = buf.sample(2, () => 0);
    expect(s).toEqual([5, 3]);
  });

  test('T8 weightedReplaySample', () => {
    expect(
      Array.from(weightedReplaySample(Float64Array.of(1, 2, 0.5, 4), 2, Float64Array.of(0.5, 0.5, 0.9, 0.2))),
    ).toEqual([2, 1]);
  });

  test('DualMemoryBuffer: seeded, weighted towards high scores, reservoir fills to capacity', () => {
    const a = new DualMemoryBuffer(50, { seed: 3, temperature: 0.1 });
    const b = new DualMemoryBuffer(50, { seed: 3, temperature: 0.1 });
    for (let i = 0; i < 200; i++) {
      a.add({ id: `e${i}`, score: (i % 10) / 10 });
      b.add({ id: `e${i}`, score: (i % 10) / 10 });
    }
    expect(a.items().length).toBe(50);
    expect(a.seen).toBe(200);
    const sa = a.sample(10);
    expect(sa.map((x) => x.id)).toEqual(b.sample(10).map((x) => x.id));
    expect(new Set(sa.map((x) => x.id)).size).toBe(10);
    // Weighted draws favour high scores: mean score of 200 weighted draws of 10 > uniform draws'.
    let weighted = 0;
    let uniform = 0;
    for (let r = 0; r < 100; r++) {
      weighted += a.sample(10).reduce((s, x) => s + x.score, 0);
      uniform += a.sample(10, { uniform: true }).reduce((s, x) => s + x.score, 0);
    }
    expect(weighted / 1000).toBeGreaterThan(uniform / 1000 + 0.15);
  });
});

describe('mergeAdapters', () => {
  test('EMA of PEFT-named A and B with T3 factor merge error', async () => {
    const { mergeAdapters } = await import('../../src/methods/interpolated-lora/index.js');
    const slow = [
      { name: 'l.q.lora_A.weight', shape: [1, 3], data: Float32Array.of(1, 0, 1) },
      { name: 'l.q.lora_B.weight', shape: [2, 1], data: Float32Array.of(1, 0) },
    ];
    const fast = [
      { name: 'l.q.lora_A.weight', shape: [1, 3], data: Float32Array.of(0, 2, 1) },
      { name: 'l.q.lora_B.weight', shape: [2, 1], data: Float32Array.of(0, 1) },
    ];
    const r = await mergeAdapters(slow, fast, 0.5, { alpha: 2 });
    close(r.merged[0]!.data, [0.5, 1, 1]);
    close(r.merged[1]!.data, [0.5, 0.5]);
    expect(r.layers[0]!.layer).toBe('l.q');
    expect(r.layers[0]!.factorMergeError).toBeCloseTo(1.58114, 5);
    expect(r.layers[0]!.deltaNorm).toBeCloseTo(Math.sqrt(1 + 1 + 4 + 1), 6);
    const r2 = await mergeAdapters(slow, fast, 0.25, { alpha: 2 });
    close(r2.merged[0]!.data, [0.25, 1.5, 1]);
    await expect(mergeAdapters(slow, fast.slice(0, 1), 0.5)).rejects.toThrow(/not in the fast one/);
  });
});
