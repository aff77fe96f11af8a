import { formatSeeds } from '../../src/report/formatSeeds.js';

describe('formatSeeds', () => {
  it('writes three or more consecutive seeds as a range, anything else as a list, none as a dash', () => {
    expect(formatSeeds([0, 1, 2, 3])).toBe('0-3');
    expect(formatSeeds([5, 6, 7])).toBe('5-7');
    expect(formatSeeds([0, 1])).toBe('0,1');
    expect(formatSeeds([0, 2])).toBe('0,2');
    expect(formatSeeds([3, 2, 1])).toBe('3,2,1');
    expect(formatSeeds([4])).toBe('4');
    expect(formatSeeds([])).toBe('—');
  });
});
