import { diagonalFisher, meanGradient } from '../../../src/methods/fisher/diagonalFisher.js';
import * as confidence from '../../../src/methods/fisher/forgettingConfidence.js';
import type { Dense } from '../../../src/linalg/types.js';
import { close, G } from './seed002.js';

// Worked tests of seed-002 §4.
describe('Fisher importance (seed 002)', () => {
  test('T2 forgettingConfidence, both variants, selection', () => {
    const F = diagonalFisher(G);
    const C: Dense = { rows: 3, cols: 4, data: Float64Array.of(0.5, 0, -0.5, 0.1, 0, 0.3, 0, 0, 0, 0, 0, 0.5) };
    const a = confidence.forgettingConfidence(C, F, { eta: 1 });
    close(a, [0.00315, 0.003, 0.00583333], 7);
    const b = confidence.forgettingConfidence(C, F, { eta: 1, gL: meanGradient(G) });
    close(b, [0.00252593, 0.00227593, 0.00333148], 7);
    expect(Array.from(confidence.rankByConfidence(a))).toEqual([2, 0, 1]);
    expect(Array.from(confidence.rankByConfidence(b))).toEqual([2, 0, 1]);
    expect(Array.from(confidence.selectForgetSubset(a, 1 / 3))).toEqual([2]);
    expect(confidence.forgettingConfidence(C, F, { eta: 0.1 })[0]).toBeCloseTo(3.15e-5, 10);
    expect(Array.from(confidence.selectForgetSubset(Float64Array.of(1, 2, 2), 0.5))).toEqual([1, 2]);
  });
  test('T5 unlearnSchedule', () => {
    expect(Array.from(confidence.unlearnSchedule(10, 3))).toEqual([3, 6, 9]);
  });
});
