import { standardError } from '../../../src/report/stages/evaluation.js';

describe('standardError', () => {
  it('standard error over seeds: sample sd / √n', () => {
    // values 1, 2, 3, 4: mean 2.5, sample variance 5/3
    expect(standardError([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3) / 2, 15);
    expect(standardError([0.5])).toBeNull();
    expect(standardError([null, 1, 3])).toBeCloseTo(1, 15); // sd √2, n 2
  });
});
