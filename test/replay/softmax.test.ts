import { softmaxWeights, replayLogits } from '../../src/replay/softmax.js';
import { ForgetscopeError } from '../../src/util/errors.js';

describe('softmaxWeights (spec §5)', () => {
  it('weights scores [0, 0.1, 0.2, -100] at T = 0.1 as [0.090031, 0.244728, 0.665241, ~0]', () => {
    const w = softmaxWeights(Float64Array.of(0, 0.1, 0.2, -100), 0.1);
    expect(w[0]).toBeCloseTo(0.090031, 6);
    expect(w[1]).toBeCloseTo(0.244728, 6);
    expect(w[2]).toBeCloseTo(0.665241, 6);
    expect(w[3]).toBeLessThan(1e-300);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });

  it('is the default temperature 0.1 and shift-invariant without overflow (scores near 1000)', () => {
    const base = softmaxWeights([0, 0.1, 0.2]);
    const shifted = softmaxWeights([1000, 1000.1, 1000.2]);
    for (let j = 0; j < 3; j++) expect(shifted[j]).toBeCloseTo(base[j]!, 12);
    // hand computation: e^0, e^1, e^2 over their sum
    const s = 1 + Math.E + Math.E ** 2;
    expect(base[2]).toBeCloseTo(Math.E ** 2 / s, 14);
  });

  it('gives excluded examples weight 0 and runs the softmax over the rest', () => {
    const w = softmaxWeights([0, 5, 0.1, 0.2], 0.1, Uint8Array.of(0, 1, 0, 0));
    expect(w[1]).toBe(0);
    const rest = softmaxWeights([0, 0.1, 0.2], 0.1);
    expect(w[0]).toBeCloseTo(rest[0]!, 14);
    expect(w[2]).toBeCloseTo(rest[1]!, 14);
    expect(w[3]).toBeCloseTo(rest[2]!, 14);
  });

  it('keeps finite log-weights where the weight underflows', () => {
    const l = replayLogits([0, 0.2, -100], 0.1);
    expect(l[1]).toBe(0);
    expect(l[2]).toBeCloseTo(-1002, 9);
  });

  it('rejects a non-finite score, a bad temperature and an all-excluded row', () => {
    expect(() => softmaxWeights([0, NaN])).toThrow(ForgetscopeError);
    expect(() => softmaxWeights([0, 1], 0)).toThrow(/temperature/);
    expect(() => softmaxWeights([0, 1], 0.1, Uint8Array.of(1, 1))).toThrow(/excluded/);
    // a NaN score is fine where the example is excluded
    expect(softmaxWeights([NaN, 1], 0.1, Uint8Array.of(1, 0))[1]).toBe(1);
  });
});
