import { diagonalFisher, fisherByTensor, meanGradient } from '../../../src/methods/fisher/diagonalFisher.js';
import { close, G } from './seed002.js';

// Worked tests of seed-002 §4.
describe('Fisher importance (seed 002)', () => {
  test('T1 diagonalFisher, fisherByTensor, the ḡ² pitfall', () => {
    const F = diagonalFisher(G);
    close(F, [0.02, 0.0666667, 0.00333333, 0.0466667]);
    expect(F.reduce((a, b) => a + b, 0)).toBeCloseTo(0.136667, 6);
    const g = meanGradient(G);
    close(g, [0.0666667, 0.0666667, 0.0333333, 0.133333]);
    const pitfall = Array.from(g, (x) => x * x);
    close(pitfall, [0.00444444, 0.00444444, 0.00111111, 0.0177778], 7);
    expect(Math.abs(pitfall[1]! - F[1]!)).toBeGreaterThan(0.05);
    const t = fisherByTensor(F, [
      { name: 't1', offset: 0, size: 2 },
      { name: 't2', offset: 2, size: 2 },
    ]);
    expect(t[0]!.sum).toBeCloseTo(0.0866667, 6);
    expect(t[0]!.mean).toBeCloseTo(0.0433333, 6);
    expect(t[0]!.max).toBeCloseTo(0.0666667, 6);
    expect(t[1]!.sum).toBeCloseTo(0.05, 12);
    expect(t[1]!.mean).toBeCloseTo(0.025, 12);
    expect(t[1]!.max).toBeCloseTo(0.0466667, 6);
    // weights: example 0 counted twice
    close(
      diagonalFisher(G, { weights: Float64Array.of(2, 1, 1) }),
      [(2 * 0.01 + 0.04 + 0.01) / 4, (2 * 0.04 + 0.16) / 4, 0.01 / 4, (2 * 0.09 + 0.01 + 0.04) / 4],
      12,
    );
  });
});
