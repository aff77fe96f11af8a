import { forEachNeighbour, msdToTrainRows, rankBySimilarity } from '../../../src/completion/methods/msdNeighbours.js';
import { trainBlock } from '../../../src/completion/methods/surpriseTrainset.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { entries } from './referenceRow.js';

// Row 0 equals the known values, row 1 differs by 2 on both known columns, row 2 has no known column.
const block = trainBlock(
  new ForgettingMatrix({
    values: Float64Array.of(1, 1, 5, 3, 3, 7, 0, 0, 9),
    observed: Uint8Array.of(1, 1, 1, 1, 1, 1, 0, 0, 1),
    taskIds: ['a', 'b', 'c'],
    exampleIds: ['x', 'y', 'z'],
  }),
  'knn',
);

describe('MSD neighbourhoods', () => {
  test('similarity 1/(1 + mean squared difference): 1, 1/(1 + 4) = 0.2, and 0 without a common item', () => {
    expect(Array.from(msdToTrainRows(block, entries([0, 1], [1, 1])))).toEqual([1, 0.2, 0]);
  });

  test('rankBySimilarity: descending, ties in row order', () => {
    expect(Array.from(rankBySimilarity(Float64Array.of(0.2, 1, 0.2, 0)))).toEqual([1, 0, 2, 3]);
  });

  test('forEachNeighbour: the first k rows in order that rated the item', () => {
    const sim = Float64Array.of(0.5, 0.2, 0.9);
    const order = rankBySimilarity(sim);
    const seen: [number, number][] = [];
    forEachNeighbour(block, order, sim, 2, 2, (row, s) => seen.push([row, s]));
    expect(seen).toEqual([
      [2, 0.9],
      [0, 0.5],
    ]);
    // Item 0 was not rated by row 2: it is skipped, and k = 5 stops at the rows there are.
    seen.length = 0;
    forEachNeighbour(block, order, sim, 0, 5, (row) => seen.push([row, 0]));
    expect(seen.map(([r]) => r)).toEqual([0, 1]);
  });
});
