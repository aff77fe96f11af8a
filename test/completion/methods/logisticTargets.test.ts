import { binaryTargets, seededNormals, sigmoid } from '../../../src/completion/methods/logisticTargets.js';
import { trainBlock } from '../../../src/completion/methods/surpriseTrainset.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';

describe('the shared pieces of the logistic MF methods', () => {
  test('binaryTargets: 1 where Z > 0 on observed train cells, then the known entries as the last row', () => {
    // Train [[0.5, −1, ·], [0, 2, 3]] (one missing cell); known: column 2 = 0.1, column 0 = −0.2.
    const train = new ForgettingMatrix({
      values: Float64Array.of(0.5, -1, Number.NaN, 0, 2, 3),
      observed: Uint8Array.of(1, 1, 0, 1, 1, 1),
      taskIds: ['a', 'b'],
      exampleIds: ['e0', 'e1', 'e2'],
    });
    const { y, mask } = binaryTargets(trainBlock(train, 'lgmf'), {
      columns: Int32Array.of(2, 0),
      values: Float64Array.of(0.1, -0.2),
    });
    expect(Array.from(y)).toEqual([1, 0, 0, 0, 1, 1, 0, 0, 1]);
    expect(Array.from(mask)).toEqual([1, 1, 0, 1, 1, 1, 1, 0, 1]);
  });

  test('sigmoid: 1/2 at 0, 3/4 at ln 3, symmetric', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(Math.log(3))).toBeCloseTo(0.75, 15);
    expect(sigmoid(-Math.log(3))).toBeCloseTo(0.25, 15);
  });

  test('seededNormals: deterministic per seed, scaled by the standard deviation', () => {
    const a = seededNormals(7, 5, 1);
    expect(Array.from(seededNormals(7, 5, 1))).toEqual(Array.from(a));
    expect(Array.from(seededNormals(7, 5, 2))).toEqual(Array.from(a, (x) => 2 * x));
    expect(Array.from(seededNormals(8, 5, 1))).not.toEqual(Array.from(a));
  });
});
