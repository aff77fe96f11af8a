import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readForgettingMatrix, writeMatrix, writeTable, readIdList } from '../../../src/io/node/index.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { ForgetscopeError } from '../../../src/util/errors.js';
import { expectSameMatrix, pythonHas, runPython, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

const table = {
  columns: {
    example: ['e1', 'e,2', 'e"3', 'ünï'],
    weight: Float64Array.from([0.1, 0.25, 1e-300, -3]),
    score: Float32Array.from([1.5, 2, 0.1, 4]),
    count: Int32Array.from([1, -2, 3, 2147483647]),
    selected: [true, false, true, false],
  },
};

describe('writeTable', () => {
  test('CSV: RFC 4180 quoting, shortest round-trip numbers, header', async () => {
    const path = join(dir, 'w.csv');
    await writeTable(path, table);
    const text = readFileSync(path, 'utf8');
    expect(text.split('\n')[0]).toBe('example,weight,score,count,selected');
    expect(text.split('\n')[2]).toBe('"e,2",0.25,2,-2,false');
    expect(text.split('\n')[3]).toBe('"e""3",1e-300,0.10000000149011612,3,true');
    expect(text.endsWith('\n')).toBe(true);
  });

  test('refuses to overwrite without force, overwrites with it, and leaves no temp files', async () => {
    const path = join(dir, 'exists.csv');
    await writeTable(path, table);
    await expect(writeTable(path, table)).rejects.toMatchObject({ code: 'usage' });
    await expect(writeTable(path, table)).rejects.toThrow(/already exists; pass --force/);
    await writeTable(path, { columns: { a: Float64Array.from([7]) } }, { force: true });
    expect(readFileSync(path, 'utf8')).toBe('a\n7\n');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  test('a failed write leaves the old file intact', async () => {
    const path = join(dir, 'keep.csv');
    writeFileSync(path, 'old\n');
    const bad = { columns: { a: Float64Array.from([1, 2]), b: Float64Array.from([1]) } };
    await expect(writeTable(path, bad, { force: true })).rejects.toBeInstanceOf(ForgetscopeError);
    expect(readFileSync(path, 'utf8')).toBe('old\n');
  });

  test('unknown extension is a usage error', async () => {
    await expect(writeTable(join(dir, 'x.xlsx'), table)).rejects.toMatchObject({ code: 'usage' });
  });

  test('numpy, pandas and pyarrow read every written format back with the same values', async () => {
    if (!pythonHas(['numpy', 'pandas', 'pyarrow'])) return;
    for (const ext of ['csv', 'tsv', 'parquet', 'arrow', 'npy'])
      await writeTable(join(dir, `t.${ext}`), table, { force: true });
    const out = runPython(
      `
import sys, json, numpy as np, pandas as pd, pyarrow.parquet as pq, pyarrow.feather as feather
d = sys.argv[1]
res = {}
a = np.load(d + '/t.npy')
res['npy'] = {n: a[n].tolist() for n in a.dtype.names}
res['npy_dtypes'] = [str(a.dtype[n]) for n in a.dtype.names]
for name, df in [('csv', pd.read_csv(d + '/t.csv', keep_default_na=False, float_precision='round_trip')), ('tsv', pd.read_csv(d + '/t.tsv', sep='\\t', keep_default_na=False, float_precision='round_trip')), ('parquet', pq.read_table(d + '/t.parquet').to_pandas()), ('arrow', feather.read_table(d + '/t.arrow').to_pandas())]:
    res[name] = {c: df[c].tolist() for c in df.columns}
print(json.dumps(res))
`,
      [dir],
    );
    const res = JSON.parse(out) as Record<string, Record<string, unknown[]>>;
    const f32 = Array.from(table.columns.score, Number);
    for (const name of ['npy', 'csv', 'tsv', 'parquet', 'arrow']) {
      const r = res[name]!;
      expect(r['example']).toEqual(table.columns.example);
      expect(r['weight']).toEqual([0.1, 0.25, 1e-300, -3]);
      expect(r['score']).toEqual(f32);
      expect(r['count']).toEqual([1, -2, 3, 2147483647]);
      expect(r['selected']).toEqual([true, false, true, false]);
    }
    expect(res['npy_dtypes']).toEqual(['<U3', 'float64', 'float32', 'int32', 'bool']);
  });
});

describe('writeMatrix', () => {
  const m = new ForgettingMatrix({
    values: Float64Array.from([0.5, NaN, -1.25, 1 / 3, 2, 1e-9]),
    observed: Uint8Array.from([1, 0, 1, 1, 1, 1]),
    taskIds: ['ta', 'tb'],
    exampleIds: ['x', 'y, z', 'w'],
    nllBefore: Float64Array.from([1, 2, 3]),
  });

  test.each(['csv', 'tsv', 'parquet', 'arrow'])(
    '%s long table round-trips exactly (mask, ids, nllBefore)',
    async (ext) => {
      const path = join(dir, `m.${ext}`);
      await writeMatrix(path, m, { force: true });
      const { matrix, report } = await readForgettingMatrix(path);
      expectSameMatrix(matrix, m);
      const reason = ext === 'csv' || ext === 'tsv' ? 'empty delta' : 'null delta';
      expect(report).toEqual({ rows: 6, kept: 5, dropped: { [reason]: 1 } });
      expect(Array.from(matrix.nllBefore!)).toEqual([1, 2, 3]);
    },
  );

  test.each(['csv', 'tsv', 'parquet', 'arrow'])(
    '%s: example metadata comes back, a source of "2019" and embedding numbers included',
    async (ext) => {
      const withMeta = new ForgettingMatrix({
        values: m.values,
        observed: Uint8Array.from([1, 0, 1, 1, 1, 1]),
        taskIds: m.taskIds,
        exampleIds: m.exampleIds,
        exampleMeta: [
          { source: '2019', text: 'a, "b"', 'embedding.0': 0.1 + 0.2 },
          { source: '2020', 'embedding.0': -1e-300 },
          { source: '007', text: '12' },
        ],
      });
      const path = join(dir, `meta.${ext}`);
      await writeMatrix(path, withMeta, { force: true });
      const { matrix, report } = await readForgettingMatrix(path);
      expectSameMatrix(matrix, withMeta);
      expect(matrix.exampleMeta).toEqual(withMeta.exampleMeta);
      expect(report.warnings).toBeUndefined();
    },
  );

  test('npy: dense values with NaN for missing plus id sidecars', async () => {
    const path = join(dir, 'm.npy');
    await writeMatrix(path, m, { force: true });
    expect(existsSync(join(dir, 'm.tasks.txt'))).toBe(true);
    expect(await readIdList(join(dir, 'm.examples.txt'))).toEqual(['x', 'y, z', 'w']);
    await expect(readForgettingMatrix(path)).rejects.toThrow(
      /m\.npy:1:2: entry at row 1 \(task "ta"\), column 2 \(example "y, z"\) is NaN/,
    );
    const { matrix, report } = await readForgettingMatrix(path, { nanAsMissing: true });
    expectSameMatrix(matrix, m);
    expect(report).toEqual({ rows: 6, kept: 5, dropped: { 'nan (missing)': 1 } });
    await expect(writeMatrix(path, m)).rejects.toMatchObject({ code: 'usage' });
  });
});

describe('readIdList', () => {
  test('one id per line, CRLF and BOM tolerated; blank and repeated ids are errors with a line', async () => {
    const p = join(dir, 'ids.txt');
    writeFileSync(p, '\ufeffa\r\nb\r\n');
    expect(await readIdList(p)).toEqual(['a', 'b']);
    writeFileSync(p, 'a\n\nb\n');
    await expect(readIdList(p)).rejects.toThrow(`${p}:2:1: empty id (blank line)`);
    writeFileSync(p, 'a\nb\na\n');
    await expect(readIdList(p)).rejects.toThrow(`${p}:3:1: id "a" repeats line 1`);
  });
});
