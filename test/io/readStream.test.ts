/** Reading from byte streams (stdin, HTTP bodies): text and Arrow streams as they arrive, others collected. */
import { Readable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readForgettingMatrix } from '../../src/io/node/index.js';
import { readForgettingMatrixFromStream } from '../../src/io/readStream.js';
import { encodeArrow } from '../../src/io/arrow/encodeArrow.js';
import { ForgetscopeError } from '../../src/util/errors.js';
import { FIXTURE, expectSameMatrix } from './helpers.js';

function chunked(bytes: Uint8Array, size: number): Readable {
  const parts: Uint8Array[] = [];
  for (let k = 0; k < bytes.length; k += size) parts.push(bytes.subarray(k, k + size));
  return Readable.from(parts);
}

describe('streams', () => {
  test('CSV and Parquet streams give the same matrix as the files', async () => {
    for (const name of ['long.csv', 'long.parquet']) {
      const path = join(FIXTURE, name);
      const fromFile = await readForgettingMatrix(path);
      const fromStream = await readForgettingMatrixFromStream(chunked(readFileSync(path), 4093), { fileName: name });
      expectSameMatrix(fromStream.matrix, fromFile.matrix);
      expect(fromStream.report).toEqual(fromFile.report);
    }
  });

  test('an Arrow IPC stream is read as it arrives; cut short at a batch boundary it is an error', async () => {
    const columns = {
      task: ['a', 'a', 'b', 'b'],
      example: ['x', 'y', 'x', 'y'],
      delta: Float64Array.from([1, 2, 3, 4]),
    };
    const bytes = encodeArrow(columns, 'stream');
    const { matrix, format } = await readForgettingMatrixFromStream(chunked(bytes, 7));
    expect(format).toBe('arrow-stream');
    expect(Array.from(matrix.values)).toEqual([1, 2, 3, 4]);
    // Drop the end-of-stream marker (8 bytes): every batch is still intact, but the stream is incomplete.
    const cut = bytes.subarray(0, bytes.length - 8);
    await expect(readForgettingMatrixFromStream(chunked(cut, 7))).rejects.toThrow(
      '<stream>: truncated Arrow IPC stream: the end-of-stream marker is missing',
    );
  });

  test('an empty stream is a typed error', async () => {
    const err = await readForgettingMatrixFromStream(Readable.from([] as Uint8Array[])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForgetscopeError);
    expect((err as ForgetscopeError).message).toBe('<stream>:1:1: the input is empty');
  });
});
