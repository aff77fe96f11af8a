import { topKIndices } from '../../src/replay/topK.js';
import { createReplayRandom } from '../../src/replay/random.js';

describe('topKIndices', () => {
  it('equals a full sort on random keys with ties', () => {
    const rng = createReplayRandom(11);
    for (let t = 0; t < 30; t++) {
      const n = 1 + rng.nextInt(200);
      const keys = Float64Array.from({ length: n }, () =>
        rng.nextOpen() < 0.1 ? -Infinity : Math.floor(rng.nextOpen() * 20),
      );
      const finite = [...keys.keys()].filter((j) => keys[j]! > -Infinity);
      const k = rng.nextInt(finite.length + 1);
      const got = topKIndices(keys, k, rng);
      const want = finite.sort((a, b) => keys[b]! - keys[a]! || a - b).slice(0, k);
      expect(Array.from(got, (j) => keys[j])).toEqual(want.map((j) => keys[j]));
      expect(new Set(got).size).toBe(k);
    }
  });
});
