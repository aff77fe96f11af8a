import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readForgettingMatrix } from '../../src/io/node/readForgettingMatrix.js';
import { readInput } from '../../src/io/node/readInput.js';
import { parseSideNpy } from '../../src/io/dataset/sideMatrix.js';
import { encodeNpy } from '../../src/io/npy/encodeNpy.js';
import { parseNpy } from '../../src/io/npy/parseNpy.js';
import { ForgetscopeError } from '../../src/util/errors.js';
import { readFileSync } from 'node:fs';

const fixture = join(process.cwd(), 'fixtures', 'real-dev-v1');
const dir = mkdtempSync(join(tmpdir(), 'fs-side-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function thrown(f: () => unknown): ForgetscopeError {
  try {
    f();
  } catch (e) {
    return e as ForgetscopeError;
  }
  throw new Error('did not throw');
}

describe('side matrices', () => {
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

  test('without side nothing is read and the result has no side field', async () => {
    const r = await readForgettingMatrix(fixture);
    expect(r.side).toBeUndefined();
    expect(r.report.side).toBeUndefined();
  });

  test('shape and dtype mismatches are errors naming the file and both shapes', () => {
    const wrong = encodeNpy(new Float32Array(6 * 5), [6, 5]);
    const e = thrown(() => parseSideNpy(wrong, 'first_order', 6, 4, 'x/side/first_order.npy'));
    expect(e).toBeInstanceOf(ForgetscopeError);
    expect(e.code).toBe('shape');
    expect(e.message).toContain('x/side/first_order.npy');
    expect(e.message).toContain('[6, 5]');
    expect(e.message).toContain('6×4');
    const ints = encodeNpy(new Int32Array(24), [6, 4]);
    expect(thrown(() => parseSideNpy(ints, 'f', 6, 4)).code).toBe('dtype');
    const nan = new Float64Array(24);
    nan[9] = NaN;
    expect(thrown(() => parseSideNpy(encodeNpy(nan, [6, 4]), 'f', 6, 4)).message).toMatch(
      /non-finite value at row 2, column 1/,
    );
    expect(thrown(() => parseSideNpy(encodeNpy(new Float64Array(5), [5]), 'f', 6, 4)).code).toBe('shape');
  });

  test('a 1-D side file is an example feature repeated on every row', () => {
    const { side, report } = parseSideNpy(encodeNpy(Float64Array.from([1, 2, 3]), [3]), 'base', 2, 3);
    expect(Array.from(side.data)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(report.shape).toEqual([3]);
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
