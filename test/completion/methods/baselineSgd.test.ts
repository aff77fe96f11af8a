import { baselineSgd } from '../../../src/completion/methods/baselineSgd.js';
import { trainBlock } from '../../../src/completion/methods/surpriseTrainset.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { entries } from './referenceRow.js';

describe('baselineSgd', () => {
  test('one epoch by hand: train (u0, i0, 1), (u0, i1, 3), then the test row (u1, i0, 2); μ = 2', () => {
    const block = trainBlock(ForgettingMatrix.fromRows([[1, 3]]), 'additive');
    const b = baselineSgd(block, entries([0], [2]), { epochs: 1, learningRate: 0.1, reg: 0.5 });
    // (u0, i0): err = 1 − 2 = −1 → bu0 = 0.1·(−1) = −0.1, bi0 = −0.1.
    // (u0, i1): err = 3 − (2 − 0.1) = 1.1 → bu0 = −0.1 + 0.1·(1.1 + 0.05) = 0.015, bi1 = 0.11.
    // (u1, i0): err = 2 − (2 − 0.1) = 0.1 → bu1 = 0.01, bi0 = −0.1 + 0.1·(0.1 + 0.05) = −0.085.
    expect(b.mu).toBe(2);
    expect(b.bu[0]).toBeCloseTo(0.015, 15);
    expect(b.bu[1]).toBeCloseTo(0.01, 15);
    expect(b.bi[0]).toBeCloseTo(-0.085, 15);
    expect(b.bi[1]).toBeCloseTo(0.11, 15);
  });

  test('unobserved train cells are skipped: the masked cell takes no step', () => {
    const z = new ForgettingMatrix({
      values: Float64Array.of(1, 1e6),
      observed: Uint8Array.of(1, 0),
      taskIds: ['t'],
      exampleIds: ['i0', 'i1'],
    });
    const b = baselineSgd(trainBlock(z, 'additive'), entries([0], [3]), { epochs: 1, learningRate: 0.1, reg: 0 });
    // μ = (1 + 3) / 2 = 2; (u0, i0): err −1 → bu0 = −0.1, bi0 = −0.1; (u1, i0): err = 3 − 1.9 = 1.1 → bu1 = 0.11.
    expect(b.mu).toBe(2);
    expect(b.bi[1]).toBe(0);
    expect(b.bu[0]).toBeCloseTo(-0.1, 15);
    expect(b.bu[1]).toBeCloseTo(0.11, 15);
    expect(b.bi[0]).toBeCloseTo(-0.1 + 0.11, 15);
  });
});
