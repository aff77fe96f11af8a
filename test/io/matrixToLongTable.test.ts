import { matrixToLongTable } from '../../src/io/matrixToLongTable.js';
import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';

describe('matrixToLongTable', () => {
  test('one row per cell, task-major; a missing cell is a NaN delta row', () => {
    const m = new ForgettingMatrix({
      values: Float64Array.from([1, 2, 3, 4, 5, 6]),
      observed: Uint8Array.from([1, 0, 1, 1, 1, 1]),
      taskIds: ['a', 'b'],
      exampleIds: ['x', 'y', 'z'],
    });
    const { columns } = matrixToLongTable(m);
    expect(Object.keys(columns)).toEqual(['task', 'example', 'delta']);
    expect(columns['task']).toEqual(['a', 'a', 'a', 'b', 'b', 'b']);
    expect(columns['example']).toEqual(['x', 'y', 'z', 'x', 'y', 'z']);
    expect(Array.from(columns['delta'] as Float64Array)).toEqual([1, NaN, 3, 4, 5, 6]);
  });

  test('nll_before, per example, repeated on each task', () => {
    const m = ForgettingMatrix.fromRows(
      [
        [0.5, -0.5],
        [1, 2],
      ],
      { nllBefore: Float64Array.from([3, 4]) },
    );
    const { columns } = matrixToLongTable(m);
    expect(Array.from(columns['nll_before'] as Float64Array)).toEqual([3, 4, 3, 4]);
    expect(Array.from(columns['delta'] as Float64Array)).toEqual([0.5, -0.5, 1, 2]);
  });
});
