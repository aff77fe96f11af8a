import { matrixFromNpy } from '../../../src/io/npy/matrixFromNpy.js';
import type { NpyArray } from '../../../src/io/npy/parseNpy.js';

const arr = (data: NpyArray['data'], shape: number[], descr = '<f8'): NpyArray => ({
  descr,
  shape,
  fortranOrder: false,
  data,
});

describe('matrixFromNpy', () => {
  test('row-major values; ids default to positions; the report counts cells', () => {
    const { matrix, report } = matrixFromNpy(arr(Float64Array.from([1, 2, 3, 4, 5, 6]), [2, 3]), { file: 'z.npy' });
    expect([...matrix.taskIds]).toEqual(['0', '1']);
    expect([...matrix.exampleIds]).toEqual(['0', '1', '2']);
    expect(matrix.get(1, 0)).toBe(4);
    expect(report).toEqual({ rows: 6, kept: 6, dropped: {} });
  });

  test('NaN is an error at its row and column unless nanAsMissing makes it a missing entry', () => {
    const data = Float64Array.from([1, NaN, 3, 4]);
    expect(() => matrixFromNpy(arr(data, [2, 2]), { file: 'z.npy', taskIds: ['a', 'b'] })).toThrow(
      /^z\.npy:1:2: entry at row 1 \(task "a"\), column 2 \(example "1"\) is NaN/,
    );
    const { matrix, report } = matrixFromNpy(arr(data, [2, 2]), { file: 'z.npy', nanAsMissing: true });
    expect(matrix.isObserved(0, 1)).toBe(false);
    expect(report).toEqual({ rows: 4, kept: 3, dropped: { 'nan (missing)': 1 } });
  });

  test('float64 values too large for float32 are an error when float32 is asked for', () => {
    expect(() => matrixFromNpy(arr(Float64Array.from([1e39]), [1, 1]), { file: 'z.npy', dtype: 'float32' })).toThrow(
      'does not fit in float32',
    );
  });

  test('wrong dtype, shape, id counts and repeated ids are errors naming the id file', () => {
    expect(() => matrixFromNpy(arr(Int32Array.from([1]), [1, 1], '<i4'), { file: 'z.npy' })).toThrow(
      'found dtype "<i4"',
    );
    expect(() => matrixFromNpy(arr(Float64Array.from([1, 2]), [2]), { file: 'z.npy' })).toThrow('found shape (2)');
    const two = arr(Float64Array.from([1, 2]), [1, 2]);
    expect(() => matrixFromNpy(two, { file: 'z.npy', exampleIds: ['a'] })).toThrow(
      '1 example ids for the 2 columns of z.npy',
    );
    expect(() =>
      matrixFromNpy(two, { file: 'z.npy', exampleIds: ['a', 'a'], idFiles: { examples: 'ex.txt' } }),
    ).toThrow('ex.txt:2: example id "a" appears twice (positions 1 and 2)');
  });
});
