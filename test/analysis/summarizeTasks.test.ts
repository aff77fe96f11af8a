import { summarizeTasks } from '../../src/analysis/summarizeTasks.js';
import { handWorked as z } from './helpers/handWorked.js';

describe('summarizeTasks, worked by hand', () => {
  test('per-task mean, max, fraction forgotten and the rank-1 scalar passed through', () => {
    const t = summarizeTasks(z, Float64Array.of(2, 3));
    expect(t.mean[0]).toBeCloseTo(0.2, 15);
    expect(t.mean[1]).toBeCloseTo(0.4 / 3, 15);
    expect(Array.from(t.max)).toEqual([0.4, 0.6]);
    expect(Array.from(t.fractionForgotten)).toEqual([0.75, 2 / 3]);
    expect(Array.from(t.rankOneScalar!)).toEqual([2, 3]);
    expect(summarizeTasks(z).rankOneScalar).toBeNull();
  });
});
