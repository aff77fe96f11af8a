/** Only regular files are read: a device is refused, a symlink to a regular file is followed. */
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { readForgettingMatrix } from '../../../src/io/node/index.js';
import { tempDir, writeDataset } from '../helpers.js';

const { dir, cleanup } = tempDir('forgetscope-regular-');
afterAll(cleanup);
const dataset = (name: string, files: Record<string, string | Uint8Array>) => writeDataset(dir, name, files);

describe('only regular files', () => {
  test('a device is refused with an input error', async () => {
    await expect(readForgettingMatrix('/dev/zero', { format: 'npy' })).rejects.toMatchObject({
      code: 'input',
      message: '/dev/zero: expected an input file, found a device; only regular files are read',
    });
  });

  test('a symlink to a regular file is read', async () => {
    const d = dataset('linked', {});
    symlinkSync(join(d, 'Z.npy'), join(dir, 'link.npy'));
    const { matrix } = await readForgettingMatrix(join(dir, 'link.npy'));
    expect(matrix.shape).toEqual([2, 2]);
  });
});
