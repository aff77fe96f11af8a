import { drawFromPolicy } from '../../../src/replay/policies/draw.js';
import { sampleWithoutReplacement } from '../../../src/replay/sample.js';
import { ForgetscopeError } from '../../../src/util/errors.js';

const sorted = (a: Int32Array): number[] => Array.from(a).sort((x, y) => x - y);

describe('drawFromPolicy', () => {
  test('a chosen set is returned as it is (shuffled by the seed, or in order with keepDrawOrder)', () => {
    const w = { weights: Float64Array.of(0, 0.5, 0, 0.5), chosen: Int32Array.of(3, 1), temperature: Infinity };
    expect(Array.from(drawFromPolicy(w, 2, { keepDrawOrder: true }))).toEqual([3, 1]);
    for (const seed of [0, 1, 2, 3]) expect(sorted(drawFromPolicy(w, 2, { seed }))).toEqual([1, 3]);
  });

  test('a chosen set of the wrong size is a shape error; caps on a set without weights to draw from are refused', () => {
    const w = { weights: Float64Array.of(1, 0, 0), chosen: Int32Array.of(0), temperature: Infinity };
    expect(() => drawFromPolicy(w, 2, {})).toThrow(/chose 1 examples, the budget is 2/);
    const capped = { sources: ['a', 'a', 'b'], caps: { a: 1 } };
    expect(() => drawFromPolicy(w, 1, capped)).toThrow(ForgetscopeError);
    expect(() => drawFromPolicy(w, 1, capped)).toThrow(/coverage/);
  });

  test('weights without logits draw as sampleWithoutReplacement of their logarithms; zero weights are never drawn', () => {
    const weights = Float64Array.of(0.1, 0, 0.4, 0.2, 0, 0.3);
    const logs = Float64Array.from(weights, Math.log);
    for (const seed of [0, 5, 11]) {
      const got = drawFromPolicy({ weights, temperature: 1 }, 3, { seed });
      expect(Array.from(got)).toEqual(Array.from(sampleWithoutReplacement(logs, 3, { seed })));
      expect(got).not.toContain(1);
      expect(got).not.toContain(4);
    }
  });

  test('given logits take precedence over the weights', () => {
    // The weights would allow only index 0; the logits allow only index 2.
    const w = { weights: Float64Array.of(1, 0, 0), logits: Float64Array.of(-Infinity, -Infinity, 0), temperature: 1 };
    expect(Array.from(drawFromPolicy(w, 1, { seed: 4 }))).toEqual([2]);
  });

  test('with caps, a set whose weights are inclusion probabilities is drawn from those weights under the caps', () => {
    const w = {
      weights: Float64Array.of(0.5, 0.5, 0.5, 0.5),
      chosen: Int32Array.of(0, 1),
      capsDrawFromWeights: true,
      temperature: Infinity,
    };
    const options = { sources: ['a', 'a', 'b', 'b'], caps: { a: 1, b: 1 } };
    for (const seed of [0, 1, 2, 3, 4, 5]) {
      const got = drawFromPolicy(w, 2, { ...options, seed });
      expect(got.length).toBe(2);
      // One from each source: the caps bind, so the chosen set {0, 1} (both source a) cannot be the answer.
      expect(got.filter((j) => j < 2).length).toBe(1);
    }
  });
});
