import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import { hasExampleMeta, summarizeBySource } from '../../src/analysis/summarizeBySource.js';
import { handWorked as z } from './helpers/handWorked.js';

describe('summarizeBySource, worked by hand', () => {
  test('per-source mean, fraction forgotten and share of the total', () => {
    // web cells: 0.2, −0.1, 0.6, 0.1 → sum 0.8, mean 0.2, 3/4 positive
    // code cells: 0.4, 0.3, −0.3 → sum 0.4, mean 0.1333…, 2/3 positive; total 1.2
    const s = summarizeBySource(z);
    expect(s.map((r) => r.source)).toEqual(['web', 'code']);
    expect(s[0]!.mean).toBeCloseTo(0.2, 15);
    expect(s[0]!.fractionForgotten).toBe(0.75);
    expect(s[0]!.share).toBeCloseTo(0.8 / 1.2, 15);
    expect(s[0]!.positiveShare).toBeCloseTo(0.9 / 1.6, 15);
    expect(s[1]!.mean).toBeCloseTo(0.4 / 3, 15);
    expect(s[1]!.fractionForgotten).toBeCloseTo(2 / 3, 15);
    expect(s[1]!.share).toBeCloseTo(0.4 / 1.2, 15);
    expect(s[1]!.observed).toBe(3);
    expect(s[0]!.examples).toBe(2);
    expect(hasExampleMeta(ForgettingMatrix.fromRows([[1, 2]]))).toBe(false);
    expect(summarizeBySource(ForgettingMatrix.fromRows([[1, 2]]))).toEqual([]);
  });
});
