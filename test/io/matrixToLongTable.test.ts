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

  test('example metadata: one column per key, repeated per task; embedding numbers stay numbers', () => {
    const m = new ForgettingMatrix({
      values: Float64Array.from([1, 2, 3, 4]),
      taskIds: ['a', 'b'],
      exampleIds: ['x', 'y'],
      exampleMeta: [
        { source: 'web', 'embedding.0': 0.1 + 0.2, length: 7, delta: 'clash' },
        { 'embedding.0': -2, 'embedding.1': 5, flag: true },
      ],
      taskMeta: [{ family: 'math' }, { family: 'chat' }],
    });
    const { columns } = matrixToLongTable(m);
    // the long columns first; a metadata key named like one of them is left out; no task metadata
    expect(Object.keys(columns)).toEqual([
      'task',
      'example',
      'delta',
      'source',
      'embedding.0',
      'length',
      'embedding.1',
      'flag',
    ]);
    expect(columns['source']).toEqual(['web', '', 'web', '']);
    expect(columns['embedding.0']).toBeInstanceOf(Float64Array);
    expect(Array.from(columns['embedding.0'] as Float64Array)).toEqual([0.1 + 0.2, -2, 0.1 + 0.2, -2]);
    expect(Array.from(columns['embedding.1'] as Float64Array)).toEqual([NaN, 5, NaN, 5]);
    expect(columns['length']).toEqual(['7', '', '7', '']);
    expect(columns['flag']).toEqual(['', 'true', '', 'true']);
    // the text columns are marked, so a CSV quotes "7" and the readers keep it as text
    expect(matrixToLongTable(m).textColumns).toEqual(['source', 'length', 'flag']);
    expect(matrixToLongTable(m, { exampleMeta: false })).toEqual({
      columns: { task: columns['task'], example: columns['example'], delta: columns['delta'] },
    });
  });

  test('an embedding key with a value that is not a number is written as text', () => {
    const m = new ForgettingMatrix({
      values: Float64Array.from([1, 2]),
      taskIds: ['a'],
      exampleIds: ['x', 'y'],
      exampleMeta: [{ 'embedding.0': 1.5 }, { 'embedding.0': 'n/a' }],
    });
    expect(matrixToLongTable(m).columns['embedding.0']).toEqual(['1.5', 'n/a']);
  });
});
