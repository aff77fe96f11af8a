/**
 * Side columns of a long table, read in the same pass as the values by every long reader (CSV, TSV,
 * JSON Lines, Arrow, Parquet on both of its decoders): values by id checked against hand-written
 * cells, the report unchanged, errors at file:line:column, duplicates merged like the value, and a
 * file rewritten once the read has reached its end, which a second pass would have seen.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeArrow } from '../../../src/io/arrow/encodeArrow.js';
import { encodeDelimited } from '../../../src/io/csv/encodeDelimited.js';
import { readForgettingMatrix } from '../../../src/io/node/readForgettingMatrix.js';
import { readSideMatrices } from '../../../src/io/node/readSideMatrices.js';
import { encodeNpy } from '../../../src/io/npy/encodeNpy.js';
import { encodeParquet } from '../../../src/io/parquet/encodeParquet.js';
import { parquetSourceFromBytes, readParquetWith } from '../../../src/io/parquet/readParquet.js';
import { locateSideColumns, sideValueError } from '../../../src/io/long/sideColumns.js';
import type { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import type { SideMatrix } from '../../../src/matrix/sideMatrices.js';
import { ForgetscopeError } from '../../../src/util/errors.js';
import { tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir('forgetscope-side-columns-');
afterAll(cleanup);

// Rows out of order (task b first, examples y, x, z); (a, z) has no delta, so no side value either.
const TASK = ['b', 'a', 'b', 'a', 'a', 'b'];
const EXAMPLE = ['y', 'x', 'x', 'y', 'z', 'z'];
const DELTA = [0.5, 1.25, -3, 2, NaN, 4];
const FO = [-2.5, 10, 30, 20, NaN, 40];
const G = [7, 0.5, 1e-3, -4, NaN, 8];
/** The side values by (task, example), written out by hand. */
const EXPECTED: Record<string, Record<string, number>> = {
  fo: { 'a x': 10, 'a y': 20, 'b x': 30, 'b y': -2.5, 'b z': 40 },
  g: { 'a x': 0.5, 'a y': -4, 'b x': 1e-3, 'b y': 7, 'b z': 8 },
};

const columns = (fo: number[] = FO) => ({
  task: TASK,
  example: EXAMPLE,
  delta: Float64Array.from(DELTA),
  fo: Float64Array.from(fo),
  g: Float64Array.from(G),
});

/** The long table as each format's bytes (a missing number is an empty field, null or an absent key). */
function encode(format: string, fo: number[] = FO): Uint8Array {
  const cols = columns(fo);
  if (format === 'csv' || format === 'tsv') {
    const text = encodeDelimited(cols, format === 'tsv' ? '\t' : ',').replace(/NaN/g, '');
    return new TextEncoder().encode(text);
  }
  if (format === 'jsonl') {
    // JSON.stringify writes NaN as null and leaves an undefined key out.
    const lines = TASK.map((task, r) =>
      JSON.stringify({
        task,
        example: EXAMPLE[r],
        delta: DELTA[r],
        fo: fo[r],
        g: Number.isNaN(G[r]) ? undefined : G[r],
      }),
    );
    return new TextEncoder().encode(lines.join('\n') + '\n');
  }
  if (format === 'arrow') return encodeArrow(cols);
  return encodeParquet(cols);
}

const FORMATS = ['csv', 'tsv', 'jsonl', 'arrow', 'parquet'] as const;

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Checks side matrix `s` against EXPECTED by ids: every kept cell holds its value, others 0. */
function expectSide(s: SideMatrix, matrix: ForgettingMatrix): void {
  expect([s.rows, s.cols]).toEqual([matrix.rows, matrix.cols]);
  const want = EXPECTED[s.name] ?? {};
  let checked = 0;
  for (let i = 0; i < matrix.rows; i++) {
    for (let j = 0; j < matrix.cols; j++) {
      const key = `${matrix.taskIds[i]} ${matrix.exampleIds[j]}`;
      const got = s.data[i * s.cols + j];
      if (matrix.isObserved(i, j)) {
        expect([key, got]).toEqual([key, want[key]]);
        checked++;
      } else expect([key, got]).toEqual([key, 0]);
    }
  }
  expect(checked).toBe(5);
}

async function rejection(p: Promise<unknown>): Promise<ForgetscopeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ForgetscopeError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('side columns of a long table, read with the values', () => {
  test.each(FORMATS)('%s: side values by id, the report as without side', async (format) => {
    const path = write(`t.${format}`, encode(format));
    const plain = await readForgettingMatrix(path, { nanAsMissing: true });
    const { matrix, side, report } = await readForgettingMatrix(path, { nanAsMissing: true, side: ['g', 'fo'] });
    expect(side?.map((s) => s.name)).toEqual(['g', 'fo']);
    for (const s of side ?? []) expectSide(s, matrix);
    expect(report.kept).toBe(5);
    expect(report.rows).toBe(6);
    const { side: sideReport, ...rest } = report;
    expect(rest).toEqual(plain.report);
    expect(sideReport?.['fo']).toEqual({ source: `${path} (column fo)`, shape: [2, 3], dtype: 'float64' });
    expect([...matrix.values]).toEqual([...plain.matrix.values]);
  });

  test.each(['flat', 'generic'] as const)('parquet, %s decoder: the same side values', async (path) => {
    const source = parquetSourceFromBytes(encode('parquet'));
    const { matrix, side } = await readParquetWith(source, { file: 'p.parquet', side: ['fo', 'g'] }, path);
    expect(side).toHaveLength(2);
    for (const s of side ?? []) expectSide(s, matrix);
  });

  test('a delimited file read in two passes (ids, then values) gives the same side values', async () => {
    const path = write('two.csv', encode('csv'));
    const { matrix, side } = await readForgettingMatrix(path, { side: ['fo', 'g'], twoPass: true });
    for (const s of side ?? []) expectSide(s, matrix);
  });

  test.each(FORMATS)(
    '%s: one pass — the file rewritten when the read reaches its end changes nothing',
    async (format) => {
      const path = write(`once.${format}`, encode(format));
      const size = readFileSync(path).length;
      // The same table with every side value of fo negated: a second pass would read these.
      const altered = encode(
        format,
        FO.map((x) => -x),
      );
      let rewrites = 0;
      const progress = (done: number) => {
        const end = format === 'arrow' || format === 'parquet' ? TASK.length : size;
        if (done === end && rewrites === 0) {
          writeFileSync(path, altered);
          rewrites++;
        }
      };
      const { matrix, side } = await readForgettingMatrix(path, { nanAsMissing: true, side: ['fo', 'g'], progress });
      expect(rewrites).toBe(1);
      for (const s of side ?? []) expectSide(s, matrix);
      // The file did change: reading it now gives the negated values.
      const again = await readForgettingMatrix(path, { nanAsMissing: true, side: ['fo'] });
      const bx = again.matrix.taskIds.indexOf('b') * again.matrix.cols + again.matrix.exampleIds.indexOf('x');
      expect(again.side?.[0]?.data[bx]).toBe(-30);
    },
  );

  test.each([
    [
      'csv',
      'task,example,delta,fo\na,x,1,10\na,y,2,\n',
      'gap.csv:3:7: side column "fo" has no value for task "a", example "y"',
    ],
    [
      'csv',
      'task,example,delta,fo\na,x,1,10\na,y,2,  \n',
      'gap.csv:3:7: side column "fo" has no value for task "a", example "y"',
    ],
    [
      'csv',
      'task,example,delta,fo\na,x,1,inf\n',
      'gap.csv:2:7: side column "fo": Infinity is not a finite number (task "a", example "x")',
    ],
    [
      'csv',
      'task,example,delta,fo\na,x,1,nan\n',
      'gap.csv:2:7: side column "fo": NaN is not a finite number (task "a", example "x")',
    ],
    ['csv', 'task,example,delta,fo\na,x,1,abc\n', 'gap.csv:2:7: column "fo": "abc" is not a number'],
    [
      'tsv',
      'task\texample\tdelta\tfo\na\tx\t1\t10\nb\tx\t2\t\n',
      'gap.tsv:3:7: side column "fo" has no value for task "b", example "x"',
    ],
    [
      'jsonl',
      '{"task":"a","example":"x","delta":1,"fo":1}\n{"task":"a","example":"y","delta":2}\n',
      'gap.jsonl:2:fo: side column "fo" has no value for task "a", example "y"',
    ],
    [
      'jsonl',
      '{"task":"a","example":"x","delta":1,"fo":1}\n{"task":"a","example":"y","delta":2,"fo":null}\n',
      'gap.jsonl:2:fo: side column "fo" has no value for task "a", example "y"',
    ],
    [
      'jsonl',
      '{"task":"a","example":"x","delta":1,"fo":1e999}\n',
      'gap.jsonl:1:fo: side column "fo": Infinity is not a finite number (task "a", example "x")',
    ],
    ['jsonl', '{"task":"a","example":"x","delta":1,"fo":"x"}\n', 'gap.jsonl:1:fo: field "fo": "x" is not a number'],
  ])('%s: a kept row without a finite side value is an error at its line and column', async (format, text, message) => {
    const path = write(`gap.${format}`, new TextEncoder().encode(text));
    const e = await rejection(readForgettingMatrix(path, { side: ['fo'] }));
    expect(e.message).toBe(`${path}${message.slice(message.indexOf(':'))}`);
  });

  test.each([
    ['arrow', NaN, 'side column "fo" has no value for task "a", example "x"'],
    ['arrow', Infinity, 'side column "fo": Infinity is not a finite number (task "a", example "x")'],
    ['parquet', NaN, 'side column "fo" has no value for task "a", example "x"'],
    ['parquet', -Infinity, 'side column "fo": -Infinity is not a finite number (task "a", example "x")'],
  ])('%s: side value %s on a kept row is an error at its row and column', async (format, bad, message) => {
    const cols = { task: ['b', 'a'], example: ['x', 'x'], delta: Float64Array.of(1, 2), fo: Float64Array.of(3, bad) };
    const path = write(`bad.${format}`, format === 'arrow' ? encodeArrow(cols) : encodeParquet(cols));
    const e = await rejection(readForgettingMatrix(path, { side: ['fo'] }));
    expect(e.message).toBe(`${path}:2:fo: ${message}`);
  });

  test('parquet: both decoders word a missing side value alike', async () => {
    const cols = { task: ['b', 'a'], example: ['x', 'x'], delta: Float64Array.of(1, 2), fo: Float64Array.of(3, NaN) };
    const source = parquetSourceFromBytes(encodeParquet(cols));
    for (const path of ['flat', 'generic'] as const) {
      const e = await rejection(readParquetWith(source, { file: 'p.parquet', side: ['fo'] }, path));
      expect(e.message).toBe('p.parquet:2:fo: side column "fo" has no value for task "a", example "x"');
    }
  });

  test.each(FORMATS)('%s: a side column the table lacks is a missing-column error', async (format) => {
    const path = write(`m.${format}`, encode(format));
    const e = await rejection(readForgettingMatrix(path, { nanAsMissing: true, side: ['fo', 'nope'] }));
    expect(e.code).toBe('missing-column');
    expect(e.detail).toBe('the long table has no side column "nope" (asked for with side: fo,nope)');
  });

  test('duplicates: the side value is merged like the value (mean of the rows, or the last row)', async () => {
    const path = write('dup.csv', new TextEncoder().encode('task,example,delta,fo\na,x,1,10\nb,x,5,7\na,x,4,31\n'));
    const mean = await readForgettingMatrix(path, { side: ['fo'], duplicates: 'mean' });
    const ax = mean.matrix.taskIds.indexOf('a') * mean.matrix.cols;
    expect(mean.matrix.values[ax]).toBe(2.5);
    expect(mean.side?.[0]?.data[ax]).toBe(20.5);
    const last = await readForgettingMatrix(path, { side: ['fo'], duplicates: 'last' });
    expect(last.side?.[0]?.data[ax]).toBe(31);
    expect(last.report.dropped).toEqual({ 'duplicate (replaced by a later row)': 1 });
    await expect(readForgettingMatrix(path, { side: ['fo'] })).rejects.toThrow(/line 4 repeats line 2/);
  });

  test('nll_before/nll_after tables: the side column is read for the kept rows', async () => {
    const text = 'task,example,nll_before,nll_after,fo\na,x,1,1.5,3\na,y,,2,\nb,x,2,1,-1\n';
    const path = write('nll.csv', new TextEncoder().encode(text));
    const { matrix, side, report } = await readForgettingMatrix(path, { side: ['fo'] });
    expect(report.dropped).toEqual({ 'empty nll_before': 1 });
    const s = side?.[0];
    const at = (t: string, e: string) => matrix.taskIds.indexOf(t) * matrix.cols + matrix.exampleIds.indexOf(e);
    expect([s?.data[at('a', 'x')], s?.data[at('b', 'x')]]).toEqual([3, -1]);
  });

  test('readSideMatrices on its own aligns the side columns with a matrix read before', async () => {
    const path = write('own.csv', encode('csv'));
    const { matrix } = await readForgettingMatrix(path);
    const { side, report } = await readSideMatrices(path, matrix, ['fo']);
    expect(side).toHaveLength(1);
    for (const s of side) expectSide(s, matrix);
    expect(report['fo']?.source).toBe(`${path} (column fo)`);
  });

  test('a dense .npy has no side columns: a usage error, not the matrix itself as a side matrix', async () => {
    const path = write('z.npy', encodeNpy(Float64Array.of(1, 2, 3, 4), [2, 2]));
    const e = await rejection(readForgettingMatrix(path, { side: ['fo'] }));
    expect(e.code).toBe('usage');
    expect(e.message).toMatch(/a dense \.npy has no side columns/);
    await expect(readForgettingMatrix(new Uint8Array(4), { side: ['fo'] })).rejects.toThrow(/not from bytes or stdin/);
  });

  test('locateSideColumns: header positions in the order asked; a repeated or unusable name is a usage error', () => {
    const header = ['task', 'example', 'delta', 'fo', 'g'];
    expect(locateSideColumns(header, ['g', 'fo'], { file: 'x.csv', line: 1 })).toEqual([4, 3]);
    expect(locateSideColumns(header, [], { file: 'x.csv', line: 1 })).toEqual([]);
    expect(() => locateSideColumns(header, ['fo', 'fo'], { file: 'x.csv' })).toThrow(/"fo" is asked for twice/);
    expect(() => locateSideColumns(header, ['a/b'], { file: 'x.csv' })).toThrow(/must use only letters/);
    expect(() => locateSideColumns(header, ['h'], { file: 'x.csv', line: 1 })).toThrow(
      'x.csv:1:1: the long table has no side column "h" (asked for with side: h)',
    );
  });

  test('sideValueError: no value is an input error, NaN or an infinity a parse error, at the given place', () => {
    const where = { file: 'x.csv', line: 7, column: 4 };
    const none = sideValueError(null, 'fo', 'task "a", example "b"', where);
    expect([none.code, none.message]).toEqual([
      'input',
      'x.csv:7:4: side column "fo" has no value for task "a", example "b"',
    ]);
    const inf = sideValueError(-Infinity, 'fo', 'task "a", example "b"', where);
    expect([inf.code, inf.message]).toEqual([
      'parse',
      'x.csv:7:4: side column "fo": -Infinity is not a finite number (task "a", example "b")',
    ]);
  });
});
