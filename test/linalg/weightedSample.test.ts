import { mulberry32, weightedSampleKeys, weightedSampleWithoutReplacement } from '../../src/linalg/random.js';
import { weightedReplaySample } from '../../src/methods/interpolated-lora/dualMemory.js';
import { createReplayRandom } from '../../src/replay/random.js';
import { sampleWithoutReplacement } from '../../src/replay/sample.js';

describe('weighted sampling without replacement (Efraimidis–Spirakis keys)', () => {
  test('hand-worked keys: log w − log(−log u), largest first, excluded items never drawn', () => {
    // u = e^(−1) for all: −log(−log u) = 0, so the keys are the log-weights themselves
    const u = Float64Array.of(Math.exp(-1), Math.exp(-1), Math.exp(-1), Math.exp(-1));
    expect(Array.from(weightedSampleWithoutReplacement(Float64Array.of(0, 2, -Infinity, 1), u, 3))).toEqual([1, 3, 0]);
    // u = e^(−e^(−3)) lifts item 0's key to 0 + 3 = 3 > 2
    u[0] = Math.exp(-Math.exp(-3));
    expect(Array.from(weightedSampleWithoutReplacement(Float64Array.of(0, 2, -Infinity, 1), u, 2))).toEqual([0, 1]);
    // ties go to the lower index; fewer drawable than asked gives what there is
    expect(
      Array.from(weightedSampleWithoutReplacement(Float64Array.of(1, 1, -Infinity), Float64Array.of(0.5, 0.5, 0.5), 5)),
    ).toEqual([0, 1]);
  });

  test('first-draw frequencies match the weights (exact multinomial first-draw probabilities, 4 sd)', () => {
    const w = [1, 2, 3, 4];
    const logW = Float64Array.from(w, Math.log);
    const next = mulberry32(7);
    const trials = 20000;
    const first = new Array<number>(4).fill(0);
    for (let t = 0; t < trials; t++) {
      const u = Float64Array.from({ length: 4 }, () => 1 - next());
      first[weightedSampleWithoutReplacement(logW, u, 1)[0]!]!++;
    }
    for (let j = 0; j < 4; j++) {
      const p = w[j]! / 10;
      expect(Math.abs(first[j]! / trials - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / trials));
    }
  });
});

describe('the one weighted draw behind the replay sampler and the dual memory', () => {
  test('weightedSampleKeys asks for a uniform only for drawable items, in index order', () => {
    const asked: number[] = [];
    const keys = weightedSampleKeys(Float64Array.of(0, -Infinity, 1, -Infinity, 2), (j) => {
      asked.push(j);
      return Math.exp(-1);
    });
    expect(asked).toEqual([0, 2, 4]);
    expect(Array.from(keys)).toEqual([0, -Infinity, 1, -Infinity, 2]);
  });

  test('sampleWithoutReplacement keeps its stream: keys from createReplayRandom(seed), one per drawable item', () => {
    const next = mulberry32(11);
    for (let t = 0; t < 50; t++) {
      const n = 1 + Math.floor(next() * 60);
      const logW = Float64Array.from({ length: n }, () => (next() < 0.2 ? -Infinity : 4 * next() - 2));
      // the key of each drawable item, drawn in index order from the replay generator
      const rng = createReplayRandom(t);
      const keys = Array.from(logW, (lw) => (lw === -Infinity ? -Infinity : lw - Math.log(-Math.log(rng.nextOpen()))));
      const drawable = keys.map((_, j) => j).filter((j) => keys[j]! > -Infinity);
      drawable.sort((a, b) => keys[b]! - keys[a]! || a - b);
      const k = Math.floor(next() * (drawable.length + 1));
      const got = sampleWithoutReplacement(logW, k, { seed: t, keepDrawOrder: true });
      expect(Array.from(got)).toEqual(drawable.slice(0, k));
    }
  });

  test('weightedReplaySample draws as the u^(1/w) keys it was written with (compared as log(u)/w, which does not underflow)', () => {
    const next = mulberry32(12);
    for (let t = 0; t < 200; t++) {
      const n = 1 + Math.floor(next() * 40);
      const w = Float64Array.from({ length: n }, () => (next() < 0.15 ? 0 : next()));
      const u = Float64Array.from({ length: n }, () => 1 - next());
      const key = Array.from(w, (wi, j) => (wi > 0 ? Math.log(u[j]!) / wi : -Infinity));
      const order = key.map((_, j) => j).filter((j) => key[j]! > -Infinity);
      order.sort((a, b) => key[b]! - key[a]! || a - b);
      const m = Math.floor(next() * (n + 1));
      expect(Array.from(weightedReplaySample(w, m, u))).toEqual(order.slice(0, m));
    }
  });
});
