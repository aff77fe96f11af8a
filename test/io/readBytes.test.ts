/** Reading from bytes: the format from the name, else from the bytes; what bytes cannot hold is a usage error. */
import { encodeNpy } from '../../src/io/npy/encodeNpy.js';
import { readForgettingMatrixFromBytes } from '../../src/io/readBytes.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('readForgettingMatrixFromBytes', () => {
  test('a TSV named by its file name: tabs split, Z = delta', async () => {
    const { matrix } = await readForgettingMatrixFromBytes(enc('task\texample\tdelta\nt\ta,b\t0.5\nt\tc\t-1\n'), {
      fileName: 'x.tsv',
    });
    expect([...matrix.exampleIds]).toEqual(['a,b', 'c']);
    expect([matrix.get(0, 0), matrix.get(0, 1)]).toEqual([0.5, -1]);
  });

  test('a .npy found by its magic bytes, with id lists given', async () => {
    const bytes = encodeNpy(Float64Array.from([1, 2, 3, 4]), [2, 2]);
    const { matrix } = await readForgettingMatrixFromBytes(bytes, { taskIds: ['p', 'q'], exampleIds: ['u', 'v'] });
    expect([...matrix.taskIds]).toEqual(['p', 'q']);
    expect(matrix.get(1, 0)).toBe(3);
  });

  test('id sidecar paths and dataset folders need the Node reader', async () => {
    const bytes = encodeNpy(Float64Array.from([1]), [1, 1]);
    await expect(readForgettingMatrixFromBytes(bytes, { taskIds: 'ids.txt' })).rejects.toMatchObject({ code: 'usage' });
    await expect(readForgettingMatrixFromBytes(bytes, { format: 'folder' })).rejects.toMatchObject({ code: 'usage' });
  });
});
