import { mulberry32, weightedSampleWithoutReplacement } from '../../src/linalg/random.js';

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
