/**
 * `info` reads every format of the bundled fixture with identical matrices: the folder is converted to
 * each format by forgetscope's writers and by pyarrow/pandas/numpy, and every conversion must give the
 * folder's matrix exactly (values, ids, mask) and the same `info --json` summary.
 */
import { join } from 'node:path';
import { readForgettingMatrix, writeMatrix } from '../../src/io/node/index.js';
import { FIXTURE, expectSameMatrix, pythonHas, runPython, tempDir } from '../io/helpers.js';
import { runCaptured } from '../helpers/cli.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

async function infoJson(path: string, extra: string[] = []): Promise<Record<string, unknown>> {
  const { code, out, err } = await runCaptured(['info', path, '--json', ...extra]);
  if (code !== 0) throw new Error(`info ${path} exited ${code}: ${err}`);
  return JSON.parse(out) as Record<string, unknown>;
}

test('info reads the fixture as folder, CSV, TSV, JSON Lines, Arrow, Parquet and npy with identical matrices', async () => {
  const folder = await readForgettingMatrix(FIXTURE);
  const files: [string, string[]][] = [];
  for (const ext of ['csv', 'tsv', 'parquet', 'arrow', 'npy']) {
    const p = join(dir, `ours.${ext}`);
    await writeMatrix(p, folder.matrix);
    files.push([p, []]);
  }
  if (pythonHas(['numpy', 'pandas', 'pyarrow'])) {
    runPython(
      `
import sys, json, numpy as np, pandas as pd, pyarrow as pa, pyarrow.parquet as pq, pyarrow.feather as feather
src, d = sys.argv[1], sys.argv[2]
z = np.load(src + '/Z.npy').astype(np.float64)
tasks = [t['id'] for t in json.load(open(src + '/tasks.json'))]
examples = [str(json.loads(l)['id']) for l in open(src + '/examples.jsonl')]
df = pd.DataFrame({'task': np.repeat(tasks, len(examples)), 'example': np.tile(examples, len(tasks)), 'delta': z.ravel()})
df.to_csv(d + '/py.csv', index=False, float_format='%.17g')
df.to_json(d + '/py.jsonl', orient='records', lines=True, double_precision=15)
t = pa.Table.from_pandas(df, preserve_index=False)
pq.write_table(t, d + '/py_snappy.parquet', compression='snappy')
pq.write_table(t, d + '/py_zstd.parquet', compression='zstd', row_group_size=5000)
pq.write_table(t, d + '/py_gzip.parquet', compression='gzip')
feather.write_feather(t, d + '/py.arrow')
np.save(d + '/py.npy', np.load(src + '/Z.npy'))
open(d + '/py.tasks.txt', 'w').write('\\n'.join(tasks) + '\\n')
open(d + '/py.examples.txt', 'w').write('\\n'.join(examples) + '\\n')
`,
      [FIXTURE, dir],
    );
    for (const name of ['py.csv', 'py_snappy.parquet', 'py_zstd.parquet', 'py_gzip.parquet', 'py.arrow', 'py.npy'])
      files.push([join(dir, name), []]);
  }
  const reference = await infoJson(FIXTURE);
  expect(reference).toMatchObject({ tasks: 37, examples: 1000, observed: 37000 });
  for (const [path, extra] of files) {
    const { matrix } = await readForgettingMatrix(path);
    expectSameMatrix(matrix, folder.matrix);
    // The CLI on one file per format (reading is the same code as above).
    if (!/ours\.|py\.csv|py_zstd/.test(path)) continue;
    const info = await infoJson(path, extra);
    expect({
      path,
      tasks: info['tasks'],
      examples: info['examples'],
      observed: info['observed'],
      summary: info['summary'],
    }).toEqual({
      path,
      tasks: reference['tasks'],
      examples: reference['examples'],
      observed: reference['observed'],
      summary: reference['summary'],
    });
  }
  if (files.some(([p]) => p.endsWith('py.csv'))) {
    // JSON Lines from pandas keeps 15 significant digits: equal within float64 printing error.
    const { matrix } = await readForgettingMatrix(join(dir, 'py.jsonl'));
    expectSameMatrix(matrix, folder.matrix, 1e-14);
  }
});
