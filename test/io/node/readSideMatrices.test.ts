/** Side matrices read after the matrix: from a folder's side/ files or a long table's columns, by id. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readForgettingMatrix } from '../../../src/io/node/readForgettingMatrix.js';
import { readSideMatrices } from '../../../src/io/node/readSideMatrices.js';
import { FIXTURE, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir('fs-side-after-');
afterAll(cleanup);

describe('readSideMatrices', () => {
  test('a folder: the same side matrix as the one-pass read', async () => {
    const once = await readForgettingMatrix(FIXTURE, { side: ['first_order'] });
    const after = await readSideMatrices(FIXTURE, once.matrix, ['first_order']);
    expect(after.side.map((s) => s.name)).toEqual(['first_order']);
    expect(after.report['first_order']).toEqual(once.report.side!['first_order']);
    expect(Array.from(after.side[0]!.data)).toEqual(Array.from(once.side![0]!.data));
  });

  test('a long table: the side column aligned with the matrix ids, whatever the row order', async () => {
    const file = join(dir, 'long.csv');
    writeFileSync(file, 'task,example,delta,g\nb,y,4,-4\na,x,1,7\nb,x,3,0.5\na,y,2,2\n');
    const { matrix } = await readForgettingMatrix(file);
    const { side } = await readSideMatrices(file, matrix, ['g']);
    // Rows a, b and columns x, y in first-seen order of the matrix; g by hand for each (task, example).
    const want: Record<string, number> = { 'a x': 7, 'a y': 2, 'b x': 0.5, 'b y': -4 };
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++)
        expect(side[0]!.data[i * 2 + j]).toBe(want[`${matrix.taskIds[i]} ${matrix.exampleIds[j]}`]);
  });

  test('a missing input is a usage error', async () => {
    const { matrix } = await readForgettingMatrix(FIXTURE);
    await expect(readSideMatrices(join(dir, 'nope.csv'), matrix, ['g'])).rejects.toMatchObject({ code: 'usage' });
  });
});
