import { autoTemperature, effectiveSupport } from '../../src/replay/autoTemperature.js';
import { softmaxWeights } from '../../src/replay/softmax.js';

describe('effectiveSupport', () => {
  it('is exp(entropy) of the softmax weights (hand check: two scores)', () => {
    // scores [0, 0.1] at T = 0.1: w = [1/(1+e), e/(1+e)]
    const p = 1 / (1 + Math.E);
    const h = -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
    expect(effectiveSupport([0, 0.1], 0.1)).toBeCloseTo(Math.exp(h), 12);
    expect(effectiveSupport([1, 1, 1, 1], 0.1)).toBeCloseTo(4, 12);
    expect(effectiveSupport([0, 0, 100], 0.1, Uint8Array.of(0, 0, 1))).toBeCloseTo(2, 12);
  });
});

describe('autoTemperature', () => {
  it('finds the temperature whose weights have the requested effective support', () => {
    const scores = Float64Array.from({ length: 500 }, (_, j) => Math.sin(j * 1.7) * 0.4 + (j % 7) * 0.05);
    for (const support of [2, 16, 64, 250]) {
      const t = autoTemperature(scores, support);
      const w = softmaxWeights(scores, t);
      const entropy = -w.reduce((s, x) => s + (x > 0 ? x * Math.log(x) : 0), 0);
      expect(Math.exp(entropy)).toBeCloseTo(support, 6);
    }
    // larger support needs a higher temperature
    expect(autoTemperature(scores, 64)).toBeGreaterThan(autoTemperature(scores, 16));
  });

  it('handles ties and rejects an impossible support', () => {
    expect(autoTemperature([0.3, 0.3, 0.3], 2)).toBe(1);
    expect(() => autoTemperature([0, 1, 2], 4)).toThrow(/between 1 and the 3/);
    expect(() => autoTemperature([0, 1, 2], 3, Uint8Array.of(1, 0, 0))).toThrow(/2 examples/);
  });
});

describe('planReplayFromScores with temperature "auto"', () => {
  it('uses the temperature whose support is autoSupport replay budgets over the non-excluded examples', async () => {
    const { planReplayFromScores } = await import('../../src/replay/offline.js');
    const scores = Float64Array.from({ length: 300 }, (_, j) => Math.cos(j * 0.37) * 0.5);
    const exclude = new Uint8Array(300);
    for (let j = 0; j < 300; j += 5) exclude[j] = 1;
    const ids = Array.from({ length: 300 }, (_, j) => `e${j}`);
    const plan = planReplayFromScores(scores, ids, {
      nFineTune: 320,
      ratio: 1 / 32,
      temperature: 'auto',
      autoSupport: 4,
      exclude,
      seed: 1,
    });
    expect(plan.replayN).toBe(11);
    expect(effectiveSupport(scores, plan.temperature, exclude)).toBeCloseTo(44, 6);
    expect(plan.temperature).toBeCloseTo(autoTemperature(scores, 44, exclude), 12);
    for (const j of plan.selected) expect(exclude[j]).toBe(0);
  });
});
