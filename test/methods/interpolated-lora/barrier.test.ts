import {
  alphaGrid,
  bestTradeoff,
  consistencyLoss,
  lossBarrier,
} from '../../../src/methods/interpolated-lora/barrier.js';
import { expectClose as close } from '../../helpers/close.js';

// Worked tests of seed-004 §4.
describe('interpolated LoRA (seed 004)', () => {
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
});
