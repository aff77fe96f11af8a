import { summarizeExamples, topForgotten } from '../../src/analysis/summarizeExamples.js';
import { handWorked as z } from './helpers/handWorked.js';

describe('summarizeExamples, worked by hand', () => {
  test('per-example mean, max, min, fraction forgotten over observed entries', () => {
    const s = summarizeExamples(z);
    expect(Array.from(s.mean)).toEqual([0.4, 0.4, 0, 0]);
    expect(Array.from(s.max)).toEqual([0.6, 0.4, 0.1, 0.3]);
    expect(Array.from(s.min)).toEqual([0.2, 0.4, -0.1, -0.3]);
    expect(Array.from(s.fractionForgotten)).toEqual([1, 1, 0.5, 0.5]);
    expect(Array.from(s.observed)).toEqual([2, 1, 2, 2]);
  });

  test('most-forgotten examples carry their metadata, ties by column order', () => {
    const top = topForgotten(z, summarizeExamples(z), { count: 3 });
    expect(top.map((t) => t.example)).toEqual(['e0', 'e1', 'e2']);
    expect(top[1]!.meta).toEqual({ source: 'code', text: 'b' });
    expect(topForgotten(z, summarizeExamples(z), { count: 1, by: 'max' })[0]!.example).toBe('e0');
  });
});
