import { pairwiseSum } from '../../../src/completion/methods/surpriseTrainset.js';

describe('the Surprise trainset helpers', () => {
  test('pairwise sum equals exact sums on integers and numpy-style blocking on small arrays', () => {
    const a = Float64Array.from({ length: 1001 }, (_, k) => k);
    expect(pairwiseSum(a, 0, a.length)).toBe((1000 * 1001) / 2);
    expect(pairwiseSum(Float64Array.of(1, 2, 3), 0, 3)).toBe(6);
  });
});
