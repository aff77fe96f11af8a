/** Side matrices of a dataset folder: side/<name>.npy read, validated against the matrix, reported. */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readForgettingMatrix } from '../../../src/io/node/readForgettingMatrix.js';
import { encodeNpy } from '../../../src/io/npy/encodeNpy.js';
import { parseNpy } from '../../../src/io/npy/parseNpy.js';
import { FIXTURE as fixture, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir('fs-side-');
afterAll(cleanup);

describe('side matrices of a folder', () => {
  test('the fixture folder: side/first_order.npy read with validated shape, reported, equal to the file', async () => {
    const { matrix, side, report } = await readForgettingMatrix(fixture, { side: ['first_order', 'task_gradient'] });
    expect(side!.map((s) => s.name)).toEqual(['first_order', 'task_gradient']);
    expect(side![0]!.rows).toBe(37);
    expect(side![0]!.cols).toBe(1000);
    expect(report.side!['first_order']).toEqual({
      source: join(fixture, 'side', 'first_order.npy'),
      shape: [37, 1000],
      dtype: 'float32',
    });
    const raw = parseNpy(readFileSync(join(fixture, 'side', 'first_order.npy')));
    expect(Array.from(side![0]!.data.subarray(0, 50))).toEqual(Array.from(raw.data.subarray(0, 50) as Float32Array));
    expect(matrix.rows).toBe(37);
  });

  test('a folder without the named side file and a bad name are usage errors', async () => {
    await expect(readForgettingMatrix(fixture, { side: ['nope'] })).rejects.toThrow(
      /no side matrix "nope" in this folder \(expected side\/nope.npy\)/,
    );
    await expect(readForgettingMatrix(fixture, { side: ['../Z'] })).rejects.toThrow(/must use only letters/);
  });

  test('a wrong-shaped side file in a folder names the file', async () => {
    const folder = join(dir, 'ds');
    cpSync(fixture, folder, {
      recursive: true,
      filter: (p) => !p.endsWith('.parquet') && !p.endsWith('recipes.csv') && !p.endsWith('long.csv'),
    });
    writeFileSync(join(folder, 'side', 'bad.npy'), encodeNpy(new Float32Array(36 * 1000), [36, 1000]));
    await expect(readForgettingMatrix(folder, { side: ['bad'] })).rejects.toThrow(
      /side[/\\]bad\.npy.*shape \[36, 1000\] but the matrix is 37×1000/,
    );
  });
});
