import {
  DualMemoryBuffer,
  ReservoirBuffer,
  weightedReplaySample,
} from '../../../src/methods/interpolated-lora/dualMemory.js';

// Worked tests of seed-004 §4.
describe('interpolated LoRA (seed 004)', () => {
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
