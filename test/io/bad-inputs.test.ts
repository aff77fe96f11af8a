/**
 * The catalogue of bad inputs: one case per row, each with the exact message (file:line:column: what)
 * and error code a user gets. Every reader must answer bad input with a ForgetscopeError, never a crash.
 */
import { mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { readForgettingMatrix } from '../../src/io/node/index.js';
import { readForgettingMatrixFromBytes } from '../../src/io/readBytes.js';
import { encodeArrow } from '../../src/io/arrow/encodeArrow.js';
import { encodeParquet } from '../../src/io/parquet/encodeParquet.js';
import { encodeNpy, encodeNpyTable } from '../../src/io/npy/encodeNpy.js';
import { ForgetscopeError } from '../../src/util/errors.js';
import type { ReadOptions } from '../../src/io/types.js';
import { FIXTURE, tempDir } from './helpers.js';

const text = (s: string) => new TextEncoder().encode(s);
const H = 'task,example,delta\n';
const goodColumns = { task: ['t1', 't1'], example: ['e1', 'e2'], delta: Float64Array.from([0.5, 0.25]) };
const arrowFile = encodeArrow(goodColumns, 'file');
const arrowStream = encodeArrow(goodColumns, 'stream');
const parquet = encodeParquet(goodColumns);
const npy = encodeNpy(Float64Array.from([1, 2, 3, 4]), [2, 2]);

interface Case {
  name: string;
  file: string;
  bytes: Uint8Array;
  options?: ReadOptions;
  code: string;
  message: string | RegExp;
}

const cases: Case[] = [
  {
    name: 'CSV: empty file',
    file: 'a.csv',
    bytes: text(''),
    code: 'empty',
    message: 'a.csv:1:1: the file is empty (expected a header line)',
  },
  {
    name: 'CSV: header only',
    file: 'a.csv',
    bytes: text(H),
    code: 'empty',
    message: 'a.csv: no data rows: the table has a header but no (task, example) values',
  },
  {
    name: 'CSV: unclosed quote',
    file: 'a.csv',
    bytes: text(H + 't1,"e1,0.5\n'),
    code: 'parse',
    message: 'a.csv:2:4: malformed quoting: a quoted field is never closed',
  },
  {
    name: 'CSV: text after closing quote',
    file: 'a.csv',
    bytes: text(H + 't1,"e1"x,0.5\n'),
    code: 'parse',
    message: 'a.csv:2:8: malformed quoting: unexpected character "x" after a closing quote',
  },
  {
    name: 'CSV: quote inside an unquoted field',
    file: 'a.csv',
    bytes: text(H + 't1,e"1,0.5\n'),
    code: 'parse',
    message:
      'a.csv:2:5: malformed quoting: a quote inside an unquoted field (quote the whole field and double the quote)',
  },
  {
    name: 'CSV: too few fields',
    file: 'a.csv',
    bytes: text(H + 't1,e1,0.5\nt1,e2\n'),
    code: 'parse',
    message: 'a.csv:3:4: wrong column count: expected 3 fields (task,example,delta), found 2',
  },
  {
    name: 'CSV: too many fields',
    file: 'a.csv',
    bytes: text(H + 't1,e1,0.5,9\n'),
    code: 'parse',
    message: 'a.csv:2:7: wrong column count: expected 3 fields (task,example,delta), found 4',
  },
  {
    name: 'CSV: missing header columns',
    file: 'a.csv',
    bytes: text('task,example,value\nt1,e1,0.5\n'),
    code: 'missing-column',
    message:
      'a.csv:1:1: missing column "delta (or nll_before and nll_after)"; the header has "task", "example", "value"',
  },
  {
    name: 'CSV: no task column',
    file: 'a.csv',
    bytes: text('tsk,example,delta\nt1,e1,0.5\n'),
    code: 'missing-column',
    message: 'a.csv:1:1: missing column "task"; the header has "tsk", "example", "delta"',
  },
  {
    name: 'CSV: non-numeric value',
    file: 'a.csv',
    bytes: text(H + 't1,e1,0.5x\n'),
    code: 'parse',
    message: 'a.csv:2:7: column "delta": "0.5x" is not a number',
  },
  {
    name: 'CSV: hexadecimal is not a number',
    file: 'a.csv',
    bytes: text(H + 't1,e1,0x10\n'),
    code: 'parse',
    message: 'a.csv:2:7: column "delta": "0x10" is not a number',
  },
  {
    name: 'CSV: infinite value',
    file: 'a.csv',
    bytes: text(H + 't1,e1,inf\n'),
    code: 'parse',
    message: 'a.csv:2:7: column "delta": Infinity is not a finite number',
  },
  {
    name: 'CSV: overflowing value',
    file: 'a.csv',
    bytes: text(H + 't1,e1,1e999\n'),
    code: 'parse',
    message: 'a.csv:2:7: column "delta": Infinity is not a finite number',
  },
  {
    name: 'CSV: NaN without nanAsMissing',
    file: 'a.csv',
    bytes: text(H + 't1,e1,NaN\n'),
    code: 'parse',
    message: 'a.csv:2:7: column "delta": NaN is not a finite number (pass nanAsMissing to treat NaN as missing)',
  },
  {
    name: 'CSV: non-numeric nll_after',
    file: 'a.csv',
    bytes: text('task,example,nll_before,nll_after\nt1,e1,1.5,high\n'),
    code: 'parse',
    message: 'a.csv:2:11: column "nll_after": "high" is not a number',
  },
  {
    name: 'CSV: empty task id',
    file: 'a.csv',
    bytes: text(H + ',e1,0.5\n'),
    code: 'parse',
    message: 'a.csv:2:1: empty task id',
  },
  {
    name: 'CSV: empty quoted example id',
    file: 'a.csv',
    bytes: text(H + 't1,"",0.5\n'),
    code: 'parse',
    message: 'a.csv:2:4: empty example id',
  },
  {
    name: 'CSV: duplicate pair names both lines',
    file: 'a.csv',
    bytes: text(H + 't1,e1,0.5\nt1,e2,0.1\nt1,e1,0.7\n'),
    code: 'duplicate',
    message:
      'a.csv:4: duplicate (task, example) pair: line 4 repeats line 2 (task "t1", example "e1"); pass duplicates "mean" or "last" to merge them',
  },
  {
    name: 'CSV: line numbers count quoted line breaks',
    file: 'a.csv',
    bytes: text(H + '"t\n1",e1,0.5\nt2,e1,zz\n'),
    code: 'parse',
    message: 'a.csv:4:7: column "delta": "zz" is not a number',
  },
  {
    name: 'TSV: wrong column count',
    file: 'a.tsv',
    bytes: text('task\texample\tdelta\nt1\te1\n'),
    code: 'parse',
    message: 'a.tsv:2:4: wrong column count: expected 3 fields (task,example,delta), found 2',
  },
  {
    name: 'CSV: bad delimiter option',
    file: 'a.csv',
    bytes: text(H),
    options: { delimiter: ';;' },
    code: 'usage',
    message: 'delimiter must be one ASCII character other than a quote or a line break, not ";;"',
  },
  {
    name: 'JSONL: invalid JSON',
    file: 'a.jsonl',
    bytes: text('{"task":"t1","example":"e1","delta":0.5}\n{"task":"t1",\n'),
    code: 'parse',
    message: /^a\.jsonl:2:1: not valid JSON: /,
  },
  {
    name: 'JSONL: value not a number',
    file: 'a.jsonl',
    bytes: text('{"task":"t1","example":"e1","delta":"0.5"}\n'),
    code: 'parse',
    message: 'a.jsonl:1:delta: field "delta": "0.5" is not a number',
  },
  {
    name: 'JSONL: missing fields',
    file: 'a.jsonl',
    bytes: text('{"task":"t1","delta":0.5}\n'),
    code: 'missing-column',
    message: 'a.jsonl:1:1: missing field "example"; the first record has "task", "delta"',
  },
  {
    name: 'JSONL: empty id',
    file: 'a.jsonl',
    bytes: text('{"task":"","example":"e1","delta":0.5}\n'),
    code: 'parse',
    message: 'a.jsonl:1:task: empty task id',
  },
  {
    name: 'Arrow file: truncated',
    file: 'a.arrow',
    bytes: arrowFile.subarray(0, arrowFile.length - 40),
    code: 'truncated',
    message: 'a.arrow: truncated Arrow IPC file: the closing ARROW1 magic is missing',
  },
  {
    name: 'Arrow stream: truncated',
    file: 'a.arrows',
    bytes: arrowStream.subarray(0, arrowStream.length - 30),
    code: 'truncated',
    message: 'a.arrows: truncated Arrow IPC stream: the end-of-stream marker is missing',
  },
  {
    name: 'Arrow: value column holds strings',
    file: 'a.arrow',
    bytes: encodeArrow({ task: ['t1'], example: ['e1'], delta: ['0.5'] }),
    code: 'dtype',
    message: 'a.arrow:1:delta: column "delta" has type Utf8; expected a float or integer column',
  },
  {
    name: 'Arrow: empty id',
    file: 'a.arrow',
    bytes: encodeArrow({ task: ['t1', ''], example: ['e1', 'e2'], delta: Float64Array.from([1, 2]) }),
    code: 'parse',
    message: 'a.arrow:2:task: empty task id',
  },
  {
    name: 'Parquet: truncated',
    file: 'a.parquet',
    bytes: parquet.subarray(0, parquet.length - 10),
    code: 'truncated',
    message: /^a\.parquet: not a valid Parquet file \(truncated or corrupt\): /,
  },
  {
    name: 'Parquet: value column holds strings',
    file: 'a.parquet',
    bytes: encodeParquet({ task: ['t1'], example: ['e1'], delta: ['0.5'] }),
    code: 'dtype',
    message: 'a.parquet:1:delta: column "delta" holds string values; expected numbers',
  },
  {
    name: 'npy: truncated data',
    file: 'a.npy',
    bytes: npy.subarray(0, npy.length - 5),
    code: 'truncated',
    message: 'a.npy: truncated .npy: shape (2, 2) needs 32 data bytes, the file has 27',
  },
  {
    name: 'npy: truncated header',
    file: 'a.npy',
    bytes: npy.subarray(0, 40),
    code: 'truncated',
    message: 'a.npy: truncated .npy: the header says 118 bytes but the file ends first',
  },
  {
    name: 'npy: integer dtype',
    file: 'a.npy',
    bytes: encodeNpy(Int32Array.from([1, 2]), [1, 2]),
    code: 'dtype',
    message: 'a.npy: expected a float32 or float64 array, found dtype "<i4"',
  },
  {
    name: 'npy: structured array',
    file: 'a.npy',
    bytes: encodeNpyTable({ a: Float64Array.from([1]) }),
    code: 'dtype',
    message: 'a.npy: this .npy holds a structured array; expected a plain numeric array (float32 or float64)',
  },
  {
    name: 'npy: 1-D array',
    file: 'a.npy',
    bytes: encodeNpy(Float64Array.from([1, 2]), [2]),
    code: 'shape',
    message: 'a.npy: expected a 2-D array (tasks × examples), found shape (2)',
  },
  {
    name: 'npy: NaN without nanAsMissing',
    file: 'a.npy',
    bytes: encodeNpy(Float64Array.from([1, NaN]), [1, 2]),
    code: 'parse',
    message:
      'a.npy:1:2: entry at row 1 (task "0"), column 2 (example "1") is NaN (pass nanAsMissing to treat NaN as a missing entry)',
  },
  {
    name: 'npy: wrong number of task ids',
    file: 'a.npy',
    bytes: npy,
    options: { taskIds: ['a'] },
    code: 'shape',
    message: 'a.npy: 1 task ids for the 2 rows of a.npy',
  },
  // Missing is missing: an input without one finite value is an error, never a matrix of zeros.
  {
    name: 'CSV: every value blank',
    file: 'a.csv',
    bytes: text(H + 't1,e1,\nt1,e2,\nt2,e1,\n'),
    code: 'empty',
    message: 'a.csv: no observed value: all 3 data lines lack a finite value (3 empty delta)',
  },
  {
    name: 'CSV: every value NaN with nanAsMissing',
    file: 'a.csv',
    bytes: text(H + 't1,e1,nan\nt1,e2,\n'),
    options: { nanAsMissing: true },
    code: 'empty',
    message: 'a.csv: no observed value: all 2 data lines lack a finite value (1 nan delta, 1 empty delta)',
  },
  {
    name: 'JSONL: every value null',
    file: 'a.jsonl',
    bytes: text('{"task":"t1","example":"e1","delta":null}\n'),
    code: 'empty',
    message: 'a.jsonl: no observed value: all 1 data line lack a finite value (1 null delta)',
  },
  {
    name: 'Arrow: every value null',
    file: 'a.arrow',
    bytes: encodeArrow({ task: ['t1', 't1'], example: ['e1', 'e2'], delta: Float64Array.from([NaN, NaN]) }),
    code: 'empty',
    message: 'a.arrow: no observed value: all 2 data rows lack a finite value (2 null delta)',
  },
  {
    name: 'Parquet: every value null',
    file: 'a.parquet',
    bytes: encodeParquet({ task: ['t1', 't1'], example: ['e1', 'e2'], delta: Float64Array.from([NaN, NaN]) }),
    code: 'empty',
    message: 'a.parquet: no observed value: all 2 data rows lack a finite value (2 null delta)',
  },
  {
    name: 'npy: every entry NaN with nanAsMissing',
    file: 'a.npy',
    bytes: encodeNpy(Float64Array.from([NaN, NaN]), [1, 2]),
    options: { nanAsMissing: true },
    code: 'empty',
    message: 'a.npy: no observed value: all 2 entries are NaN',
  },
  {
    name: 'CSV: float32 storage overflows',
    file: 'a.csv',
    bytes: text(H + 't1,e1,1e300\n'),
    options: { dtype: 'float32' },
    code: 'parse',
    message: 'a.csv:2: task "t1", example "e1": the value 1e+300 is not a finite float32 number',
  },
  {
    name: 'CSV: nll difference overflows',
    file: 'a.csv',
    bytes: text('task,example,nll_before,nll_after\nt1,e1,-1e308,1e308\n'),
    code: 'parse',
    message: 'a.csv:2: task "t1", example "e1": the value Infinity is not a finite number',
  },
  // Ids exact: invalid UTF-8 is an error where it is, never a U+FFFD that merges two ids.
  {
    name: 'CSV: invalid UTF-8 id',
    file: 'a.csv',
    bytes: Uint8Array.from([...text(H + 't1,x'), 0xff, ...text(',1\n')]),
    code: 'parse',
    message: 'a.csv:2:4: the example id is not valid UTF-8 (byte 2 of the field)',
  },
  {
    name: 'CSV: invalid UTF-8 header',
    file: 'a.csv',
    bytes: Uint8Array.from([...text('task,example,'), 0xc3, ...text('\nt1,e1,1\n')]),
    code: 'parse',
    message: "a.csv:1:14: the header's field 3 is not valid UTF-8 (byte 1)",
  },
  {
    name: 'JSONL: invalid UTF-8',
    file: 'a.jsonl',
    bytes: Uint8Array.from([...text('{"task":"'), 0xe2, 0x82, ...text('","example":"e1","delta":1}\n')]),
    code: 'parse',
    message: 'a.jsonl:1:10: invalid UTF-8 (text must be UTF-8; ids are compared byte for byte)',
  },
  {
    name: 'Arrow: invalid UTF-8 id',
    file: 'a.arrows',
    bytes: (() => {
      const b = encodeArrow({ task: ['t1'], example: ['eZ'], delta: Float64Array.from([1]) }, 'stream').slice();
      const k = b.findIndex((x, i) => x === 0x65 && b[i + 1] === 0x5a);
      b[k + 1] = 0xff;
      return b;
    })(),
    code: 'parse',
    message: 'a.arrows:1:example: the example id is not valid UTF-8 (byte 2)',
  },
  // Bounded work: limits on lines, fields and nesting.
  {
    name: 'CSV: a line over limits.maxLineBytes',
    file: 'a.csv',
    bytes: text(H + 't1,e1,' + '1'.repeat(100) + '\n'),
    options: { limits: { maxLineBytes: 64 } },
    code: 'parse',
    message: 'a.csv:2:1: line longer than 64 bytes (limits.maxLineBytes)',
  },
  {
    name: 'CSV: a header over limits.maxFields',
    file: 'a.csv',
    bytes: text('a,b,c,d,e\n'),
    options: { limits: { maxFields: 4 } },
    code: 'parse',
    message: 'a.csv:1:9: more than 4 fields in one record (limits.maxFields)',
  },
  {
    name: 'CSV: a long bad number is quoted short',
    file: 'a.csv',
    bytes: text(H + 't1,e1,' + '9'.repeat(5000) + 'x\n'),
    code: 'parse',
    message: `a.csv:2:7: column "delta": "${'9'.repeat(200)}"… (a field of 5001 bytes) is not a number`,
  },
  {
    name: 'JSONL: a line over limits.maxLineBytes',
    file: 'a.jsonl',
    bytes: text('{"task":"t1","example":"e1","delta":1}\n{"task":"' + 'x'.repeat(100) + '"}\n'),
    options: { limits: { maxLineBytes: 64 } },
    code: 'parse',
    message: 'a.jsonl:2:1: line longer than 64 bytes (limits.maxLineBytes)',
  },
  {
    name: 'JSONL: nested 5,000 deep',
    file: 'a.jsonl',
    bytes: text('{"task":"t1","example":"e1","delta":1,"x":' + '['.repeat(5000) + ']'.repeat(5000) + '}\n'),
    code: 'parse',
    message: 'a.jsonl:1:298: JSON nested deeper than 256 levels',
  },
  {
    name: 'npy: a huge shape in a small file',
    file: 'a.npy',
    bytes: (() => {
      const b = encodeNpy(Float64Array.from([1]), [1, 1]);
      const h = new TextDecoder('latin1')
        .decode(b.subarray(10, b.length - 8))
        .replace('(1, 1)', '(1000000000000, 1000000)'.padEnd(6));
      return Uint8Array.from([
        ...b.subarray(0, 10),
        ...new TextEncoder().encode(h.slice(0, b.length - 18)),
        ...b.subarray(b.length - 8),
      ]);
    })(),
    code: 'truncated',
    message:
      'a.npy: truncated .npy: shape (1000000000000, 1000000) needs 8000000000000000000 data bytes, the file has 8',
  },
];

describe('bad-input catalogue', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const err = await readForgettingMatrixFromBytes(c.bytes, { fileName: c.file, ...(c.options ?? {}) }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ForgetscopeError);
    const fe = err as ForgetscopeError;
    if (typeof c.message === 'string') expect(fe.message).toBe(c.message);
    else expect(fe.message).toMatch(c.message);
    expect(fe.code).toBe(c.code);
  });
});

describe('bad dataset folders and files on disk', () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);

  test('a folder without tasks.json', async () => {
    const d = join(dir, 'no-tasks');
    mkdirSync(d);
    copyFileSync(join(FIXTURE, 'Z.npy'), join(d, 'Z.npy'));
    copyFileSync(join(FIXTURE, 'examples.jsonl'), join(d, 'examples.jsonl'));
    await expect(readForgettingMatrix(d)).rejects.toThrow(
      `${d}: not a dataset folder: tasks.json is missing (a folder needs Z.npy, tasks.json, examples.jsonl; base_nll.npy is optional)`,
    );
  });

  test('a folder whose tasks.json lists fewer tasks than Z has rows', async () => {
    const d = join(dir, 'short-tasks');
    mkdirSync(d);
    copyFileSync(join(FIXTURE, 'Z.npy'), join(d, 'Z.npy'));
    copyFileSync(join(FIXTURE, 'examples.jsonl'), join(d, 'examples.jsonl'));
    writeFileSync(join(d, 'tasks.json'), JSON.stringify([{ id: 'a' }]));
    await expect(readForgettingMatrix(d)).rejects.toThrow(
      `${join(d, 'tasks.json')}: ${join(d, 'Z.npy')} has 37 rows but ${join(d, 'tasks.json')} lists 1 tasks`,
    );
  });

  test('an example line that is not JSON', async () => {
    const d = join(dir, 'bad-examples');
    mkdirSync(d);
    copyFileSync(join(FIXTURE, 'Z.npy'), join(d, 'Z.npy'));
    copyFileSync(join(FIXTURE, 'tasks.json'), join(d, 'tasks.json'));
    writeFileSync(join(d, 'examples.jsonl'), '{"id": 1}\n{"id": 2\n');
    await expect(readForgettingMatrix(d)).rejects.toThrow(
      new RegExp(`^${join(d, 'examples.jsonl').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:1: not valid JSON`),
    );
  });

  test('a missing file is a usage error', async () => {
    await expect(readForgettingMatrix(join(dir, 'none.csv'))).rejects.toMatchObject({
      code: 'usage',
      message: `${join(dir, 'none.csv')}: no such file or folder`,
    });
  });

  test('a CSV streamed from disk in chunks reports the same line numbers', async () => {
    const p = join(dir, 'big.csv');
    const rows = ['task,example,delta'];
    for (let k = 0; k < 300000; k++) rows.push(`t${k % 7},e${k},${k / 1000}`);
    rows.push('t1,e5,oops');
    writeFileSync(p, rows.join('\n') + '\n');
    await expect(readForgettingMatrix(p)).rejects.toThrow(`${p}:300002:7: column "delta": "oops" is not a number`);
  });
});
