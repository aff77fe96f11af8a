/** readForgettingMatrix with side matrices: none unless asked; a long table's side columns aligned by id. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readForgettingMatrix } from '../../../src/io/node/readForgettingMatrix.js';
import { FIXTURE as fixture, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir('fs-side-');
afterAll(cleanup);

describe('side matrices in the read', () => {
  test('without side nothing is read and the result has no side field', async () => {
    const r = await readForgettingMatrix(fixture);
    expect(r.side).toBeUndefined();
    expect(r.report.side).toBeUndefined();
  });

  test('a long table carries side columns by name, aligned by ids whatever the row order', async () => {
    const file = join(dir, 'long.csv');
    // rows shuffled: task b before a, examples out of order
    writeFileSync(file, ['task,example,delta,fo', 'b,y,4,40', 'a,x,1,10', 'b,x,3,30', 'a,y,2,20'].join('\n') + '\n');
    const { matrix, side, report } = await readForgettingMatrix(file, { side: ['fo'] });
    const s = side![0]!;
    for (let i = 0; i < matrix.rows; i++)
      for (let j = 0; j < matrix.cols; j++) expect(s.data[i * s.cols + j]).toBe(matrix.get(i, j) * 10);
    expect(report.side!['fo']!.shape).toEqual([2, 2]);
    await expect(readForgettingMatrix(file, { side: ['missing'] })).rejects.toThrow(/no side column "missing"/);
    const gap = join(dir, 'gap.csv');
    writeFileSync(gap, ['task,example,delta,fo', 'a,x,1,10', 'a,y,2,', 'b,x,3,30', 'b,y,4,40'].join('\n') + '\n');
    await expect(readForgettingMatrix(gap, { side: ['fo'] })).rejects.toThrow(
      /side column "fo" has no value for task "a", example "y"/,
    );
  });
});
