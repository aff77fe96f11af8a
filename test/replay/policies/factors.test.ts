import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { exampleFactors } from '../../../src/replay/policies/factors.js';

const ids = (n: number): string[] => Array.from({ length: n }, (_, j) => `e${j}`);

describe('exampleFactors', () => {
  it('exampleFactors: V·S of the train rows (rank 1 of an outer product)', () => {
    const train = ForgettingMatrix.fromRows(
      [
        [1, 2, 0],
        [2, 4, 0],
      ],
      { taskIds: ['a', 'b'], exampleIds: ids(3) },
    );
    const f = exampleFactors(train, 1);
    // A = [1;2]·[1 2 0]: s = √5·√5 = 5, v = [1 2 0]/√5 → factors ±[1 2 0]·√5
    expect(Math.abs(f.data[0]!)).toBeCloseTo(Math.sqrt(5), 10);
    expect(Math.abs(f.data[1]!)).toBeCloseTo(2 * Math.sqrt(5), 10);
    expect(f.data[2]).toBeCloseTo(0, 12);
  });
});
