/** Parquet encoding, read back with hyparquet itself: physical types, NaN as null, row groups. */
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { encodeParquet } from '../../../src/io/parquet/encodeParquet.js';

describe('encodeParquet', () => {
  test('physical types by column kind; NaN in a float column is null', async () => {
    const bytes = encodeParquet({
      id: ['a', 'b'],
      x: Float64Array.from([0.1, NaN]),
      f: Float32Array.from([0.5, 1.5]),
      k: Int32Array.from([7, -8]),
      u: Uint8Array.from([3, 255]),
      ok: [true, false],
    });
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const meta = parquetMetadata(buffer);
    expect(meta.schema.slice(1).map((s) => `${s.name}:${s.type}`)).toEqual([
      'id:BYTE_ARRAY',
      'x:DOUBLE',
      'f:FLOAT',
      'k:INT32',
      'u:INT32',
      'ok:BOOLEAN',
    ]);
    const rows = await parquetReadObjects({ file: buffer });
    expect(rows).toEqual([
      { id: 'a', x: 0.1, f: 0.5, k: 7, u: 3, ok: true },
      { id: 'b', x: null, f: 1.5, k: -8, u: 255, ok: false },
    ]);
  });

  test('rowGroupSize splits the rows into groups', () => {
    const bytes = encodeParquet({ k: Int32Array.from([1, 2, 3, 4, 5]) }, { rowGroupSize: 2 });
    const meta = parquetMetadata(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([2, 2, 1]);
  });
});
