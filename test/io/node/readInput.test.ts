/** The Node read entry: side matrices read with the matrix; a folder read as a single .npy is a usage error. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readForgettingMatrix } from '../../../src/io/node/index.js';
import { readInput } from '../../../src/io/node/readInput.js';
import { parseNpy } from '../../../src/io/npy/parseNpy.js';
import { FIXTURE as fixture, tempDir, writeDataset } from '../helpers.js';

const { dir, cleanup } = tempDir('forgetscope-readinput-');
afterAll(cleanup);

describe('readInput', () => {
  test('a folder read gives its side matrices in the same read (readInput), equal to readForgettingMatrix', async () => {
    const direct = await readInput(fixture, {}, ['task_gradient']);
    expect(direct.side!.map((s) => s.name)).toEqual(['task_gradient']);
    expect(direct.report.side!['task_gradient']!.source).toBe(join(fixture, 'side', 'task_gradient.npy'));
    const raw = parseNpy(readFileSync(join(fixture, 'side', 'task_gradient.npy')));
    expect(Array.from(direct.side![0]!.data.subarray(0, 40))).toEqual(
      Array.from(raw.data.subarray(0, 40) as Float32Array),
    );
    expect((await readInput(fixture)).side).toBeUndefined();
  });

  test('format npy on a folder is a usage error', async () => {
    const d = writeDataset(dir, 'as-npy', {});
    await expect(readForgettingMatrix(d, { format: 'npy' })).rejects.toMatchObject({ code: 'usage' });
  });
});
