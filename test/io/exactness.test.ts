/**
 * Nothing invented, nothing lost, on disk: ids keep their exact digits and bytes, repeated ids are
 * errors naming the file that holds them, only regular files are read, and numpy's header rules hold.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readForgettingMatrix } from '../../src/io/node/index.js';
import { parseNpy } from '../../src/io/npy/parseNpy.js';
import { encodeNpy } from '../../src/io/npy/encodeNpy.js';
import { parseExamples, parseTasks } from '../../src/io/dataset/readDataset.js';
import { parseJsonIdList, rawNumberOf } from '../../src/io/json/parseJsonLimited.js';
import { quoteText } from '../../src/io/limits.js';
import { tempDir } from './helpers.js';

const { dir, cleanup } = tempDir('forgetscope-exact-');
afterAll(cleanup);

function dataset(name: string, files: Record<string, string | Uint8Array>): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  const base: Record<string, string | Uint8Array> = {
    'Z.npy': encodeNpy(Float64Array.from([0.5, 0.25, -0.5, 1]), [2, 2]),
    'tasks.json': '[{"id": "t1", "family": "a"}, {"id": "t2", "family": "b"}]',
    'examples.jsonl': '{"id": "e1", "source": "s1"}\n{"id": "e2", "source": "s2"}\n',
  };
  for (const [k, v] of Object.entries({ ...base, ...files })) writeFileSync(join(d, k), v);
  return d;
}

describe('ids are exact', () => {
  test('20-digit ids in tasks.json and examples.jsonl keep their digits', async () => {
    const d = dataset('bigint', {
      'tasks.json': '[{"id": 12345678901234567891}, {"id": 12345678901234567892}]',
      'examples.jsonl': '{"id": 1.50}\n{"id": -0}\n',
    });
    const { matrix } = await readForgettingMatrix(d);
    expect([...matrix.taskIds]).toEqual(['12345678901234567891', '12345678901234567892']);
    expect([...matrix.exampleIds]).toEqual(['1.50', '-0']);
  });

  test('rawNumberOf takes the last of a repeated key, as JSON.parse does', () => {
    expect(rawNumberOf('{"id": 1, "x": {"id": 2}, "id": 30000000000000000001}', 'id')).toBe('30000000000000000001');
    expect(rawNumberOf('{"id": "1"}', 'id')).toBeNull();
  });

  test('JSON id lists keep number ids exact, in both shapes', () => {
    expect(
      parseJsonIdList('[12345678901234567891, "b", 1.0, {"x": 1} ]'.replace(', {"x": 1} ', ''), 'ids.json'),
    ).toEqual(['12345678901234567891', 'b', '1.0']);
    expect(parseJsonIdList('{"other": [5], "example_ids": [ 98765432109876543210 , "a,b" ]}', 'h.json')).toEqual([
      '98765432109876543210',
      'a,b',
    ]);
    expect(() => parseJsonIdList('{"ids": []}', 'h.json')).toThrow(
      'h.json:1:1: expected a JSON list of ids or an object with "example_ids"',
    );
    expect(() => parseJsonIdList('[null]', 'h.json')).toThrow(
      'h.json:1:1: id 1 of the list is null, not a string or number',
    );
  });

  test('a JSON id list under a repeated key takes its digits from the last list, the one JSON.parse keeps', () => {
    expect(parseJsonIdList('{"example_ids": [1], "example_ids": [12345678901234567891]}', 'h.json')).toEqual([
      '12345678901234567891',
    ]);
  });

  test('a repeated task id names tasks.json and both lines', async () => {
    const d = dataset('dup-task', { 'tasks.json': '[\n  {"id": "t1"},\n  {"id": "t1"}\n]\n' });
    await expect(readForgettingMatrix(d)).rejects.toMatchObject({
      code: 'duplicate',
      message: `${join(d, 'tasks.json')}:3: task id "t1" repeats task 1 (line 2); ids must be unique`,
    });
  });

  test('a repeated example id names examples.jsonl', () => {
    expect(() => parseExamples('{"id": "a"}\n\n{"id": "a"}\n', 'ex.jsonl')).toThrow(
      'ex.jsonl:3: example id "a" repeats example 1 (line 1); ids must be unique',
    );
  });

  test('tasks.json nested too deep is an input error, not a crash', () => {
    expect(() => parseTasks(`[{"id": "t", "m": ${'['.repeat(300)}${']'.repeat(300)}}]`, 'tasks.json')).toThrow(
      /^tasks\.json:1:\d+: JSON nested deeper than 256 levels$/,
    );
  });

  test('invalid UTF-8 in an id sidecar is an error at its line', async () => {
    writeFileSync(join(dir, 'u.npy'), encodeNpy(Float64Array.from([1, 2]), [1, 2]));
    writeFileSync(join(dir, 'u.examples.txt'), Uint8Array.from([0x61, 0x0a, 0x62, 0xff, 0x0a]));
    await expect(readForgettingMatrix(join(dir, 'u.npy'))).rejects.toThrow(
      `${join(dir, 'u.examples.txt')}:2:2: invalid UTF-8`,
    );
  });
});

describe('missing is missing', () => {
  test('an all-NaN base_nll.npy names base_nll.npy', async () => {
    const d = dataset('nan-base', { 'base_nll.npy': encodeNpy(Float64Array.from([NaN, NaN]), [2]) });
    await expect(readForgettingMatrix(d)).rejects.toMatchObject({
      code: 'empty',
      message: `${join(d, 'base_nll.npy')}: no observed value: all 2 values are NaN`,
    });
  });

  test('a base_nll.npy with some NaN keeps them as unknown', async () => {
    const d = dataset('some-nan-base', { 'base_nll.npy': encodeNpy(Float64Array.from([NaN, 2.5]), [2]) });
    const { matrix } = await readForgettingMatrix(d);
    expect(Number.isNaN(matrix.nllBefore![0]!)).toBe(true);
    expect(matrix.nllBefore![1]).toBe(2.5);
  });
});

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

  test('format npy on a folder is a usage error', async () => {
    const d = dataset('as-npy', {});
    await expect(readForgettingMatrix(d, { format: 'npy' })).rejects.toMatchObject({ code: 'usage' });
  });
});

describe('npy header', () => {
  test('a repeated key keeps its last value, as numpy', () => {
    const data = new Uint8Array(Float64Array.from([1, 2]).buffer);
    let h = "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), 'descr': '<f8', }";
    while ((10 + h.length + 1) % 64 !== 0) h += ' ';
    h += '\n';
    const bytes = Uint8Array.from([
      0x93,
      0x4e,
      0x55,
      0x4d,
      0x50,
      0x59,
      1,
      0,
      h.length,
      0,
      ...new TextEncoder().encode(h),
      ...data,
    ]);
    const arr = parseNpy(bytes, 'dup.npy');
    expect(arr.descr).toBe('<f8');
    expect([...(arr.data as Float64Array)]).toEqual([1, 2]);
  });
});

test('quoteText cuts long text to 200 characters and says how long it was', () => {
  expect(quoteText('ab')).toBe('"ab"');
  expect(quoteText('x'.repeat(1000))).toBe(`"${'x'.repeat(200)}"… (1000 characters)`);
});

test('Parquet counts NaN (with nanAsMissing) apart from null, on both decoding paths', async () => {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const { readParquetWith, parquetSourceFromBytes } = await import('../../src/io/parquet/readParquet.js');
  const bytes = new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: 'task', data: ['t1', 't1', 't1'], type: 'STRING' },
        { name: 'example', data: ['e1', 'e2', 'e3'], type: 'STRING' },
        { name: 'delta', data: [0.5, NaN, null], type: 'DOUBLE', nullable: true },
      ],
    }),
  );
  for (const path of ['flat', 'generic'] as const) {
    const { report, matrix } = await readParquetWith(
      parquetSourceFromBytes(bytes),
      { file: 'n.parquet', nanAsMissing: true },
      path,
    );
    expect(report).toEqual({ rows: 3, kept: 1, dropped: { 'nan delta': 1, 'null delta': 1 } });
    expect(matrix.observedCount).toBe(1);
  }
});
