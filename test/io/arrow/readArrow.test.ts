/** The Arrow reader on IPC bytes: ids and values by row, null values dropped, truncation detected. */
import { arrowBatchesFromBytes, checkArrowComplete, readArrowBatches } from '../../../src/io/arrow/readArrow.js';
import { encodeArrow } from '../../../src/io/arrow/encodeArrow.js';

const columns = {
  task: ['t1', 't1', 't2', 't2'],
  example: ['a', 'b', 'a', 'b'],
  delta: Float64Array.from([0.5, NaN, -1, 2]),
};
const read = (bytes: Uint8Array) => readArrowBatches(arrowBatchesFromBytes(bytes, 'x.arrow'), { file: 'x.arrow' });

describe('readArrowBatches', () => {
  test.each(['file', 'stream'] as const)('%s: the matrix by id; a null delta is a dropped row', async (format) => {
    const { matrix, report } = await read(encodeArrow(columns, format));
    expect([...matrix.taskIds]).toEqual(['t1', 't2']);
    expect([...matrix.exampleIds]).toEqual(['a', 'b']);
    expect([matrix.get(0, 0), matrix.get(1, 0), matrix.get(1, 1)]).toEqual([0.5, -1, 2]);
    expect(matrix.isObserved(0, 1)).toBe(false);
    expect(report).toMatchObject({ rows: 4, kept: 3, dropped: { 'null delta': 1 } });
  });

  test('a cut file or stream is a truncated error; empty bytes are an empty error', async () => {
    const file = encodeArrow(columns, 'file');
    expect(() => checkArrowComplete(file.subarray(0, file.length - 1), 'x.arrow')).toThrow('closing ARROW1 magic');
    const stream = encodeArrow(columns, 'stream');
    await expect(read(stream.subarray(0, stream.length - 3))).rejects.toMatchObject({ code: 'truncated' });
    await expect(read(new Uint8Array(0))).rejects.toMatchObject({ code: 'empty' });
  });

  test('a missing value column is named', async () => {
    await expect(read(encodeArrow({ task: ['t'], example: ['e'] }))).rejects.toThrow('missing column "delta');
  });
});
