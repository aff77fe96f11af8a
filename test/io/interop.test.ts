/**
 * Interop with the Python data stack: numpy, pandas and pyarrow write every format forgetscope reads,
 * and read back what forgetscope writes. The reference values come from Python, never from our reader.
 * Skipped only when python3/pyarrow are missing outside CI (in CI a missing tool fails the test).
 */
import { join } from 'node:path';
import { readForgettingMatrix, writeMatrix } from '../../src/io/node/index.js';
import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import { pythonHas, runPython, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const available = pythonHas(['numpy', 'pandas', 'pyarrow']);

interface Reference {
  tasks: string[];
  examples: string[];
  z: (number | null)[][];
  files: Record<string, { path: string; options?: Record<string, unknown> }>;
}

const WRITE = `
import sys, json, numpy as np, pandas as pd, pyarrow as pa, pyarrow.parquet as pq, pyarrow.ipc as ipc, pyarrow.feather as feather
d = sys.argv[1]
rng = np.random.default_rng(7)
tasks = ['t,1', 't"2', 'täsk 3', 't4', ' t5']
examples = [str(1000 + j) for j in range(6)] + ['ex, "quoted"\\nline']
M, N = len(tasks), len(examples)
before = rng.normal(1.5, 0.3, N)
after = before + rng.normal(0.4, 0.4, (M, N))
z = after - before
missing = rng.random((M, N)) < 0.15
missing[:, 0] = False
missing[0, :] = False  # first appearance in the task-major table fixes the example order
rows = [(tasks[i], examples[j], before[j], after[i, j], z[i, j]) for i in range(M) for j in range(N) if not missing[i, j]]
df = pd.DataFrame(rows, columns=['task', 'example', 'nll_before', 'nll_after', 'delta'])
files = {}
def add(name, path, **options):
    files[name] = {'path': path, 'options': options}
df[['task', 'example', 'delta']].to_csv(d + '/pandas.csv', index=False, float_format='%.17g'); add('pandas csv', d + '/pandas.csv')
df[['task', 'example', 'delta']].to_csv(d + '/crlf_bom.csv', index=False, float_format='%.17g', lineterminator='\\r\\n', encoding='utf-8-sig'); add('pandas csv, CRLF + BOM', d + '/crlf_bom.csv')
df[['task', 'example', 'delta']].to_csv(d + '/pandas.tsv', index=False, sep='\\t', float_format='%.17g'); add('pandas tsv', d + '/pandas.tsv')
df[['task', 'example', 'delta']].to_json(d + '/pandas.jsonl', orient='records', lines=True, double_precision=15); add('pandas jsonl', d + '/pandas.jsonl', tolerance=1e-14)
t = pa.Table.from_pandas(df[['task', 'example', 'delta']], preserve_index=False)
for codec in ['snappy', 'zstd', 'gzip', 'brotli', 'none']:
    pq.write_table(t, d + f'/{codec}.parquet', compression=codec); add(f'pyarrow parquet {codec}', d + f'/{codec}.parquet')
pq.write_table(t, d + '/plain.parquet', use_dictionary=False, row_group_size=4, data_page_size=64); add('pyarrow parquet, no dictionary, row groups of 4', d + '/plain.parquet')
pq.write_table(t, d + '/v1.parquet', version='1.0', data_page_version='1.0'); add('pyarrow parquet format 1.0', d + '/v1.parquet')
pq.write_table(pa.Table.from_pandas(df[['task', 'example', 'nll_before', 'nll_after']], preserve_index=False), d + '/nll.parquet'); add('pyarrow parquet nll_before/nll_after', d + '/nll.parquet', tolerance=1e-15)
with ipc.new_file(d + '/file.arrow', t.schema) as w:
    for b in t.to_batches(max_chunksize=5): w.write_batch(b)
add('pyarrow ipc file, batches of 5', d + '/file.arrow')
with ipc.new_stream(d + '/stream.arrows', t.schema) as w:
    for b in t.to_batches(max_chunksize=5): w.write_batch(b)
add('pyarrow ipc stream', d + '/stream.arrows')
feather.write_feather(t, d + '/plain.feather', compression='uncompressed'); add('feather v2 uncompressed', d + '/plain.feather')
feather.write_feather(t, d + '/lz4.feather'); add('feather v2 with its default LZ4 compression', d + '/lz4.feather')
feather.write_feather(t, d + '/zstd.feather', compression='zstd'); add('feather v2 zstd', d + '/zstd.feather')
df[['task', 'example', 'delta']].reset_index(drop=True).to_feather(d + '/pandas.feather'); add('pandas to_feather', d + '/pandas.feather')
dict_t = t.set_column(0, 'task', pa.compute.dictionary_encode(t.column('task')))
feather.write_feather(dict_t, d + '/dict.feather', compression='uncompressed'); add('feather, dictionary-encoded task ids', d + '/dict.feather')
dense = np.where(missing, np.nan, z)
np.save(d + '/z_f8.npy', dense); add('numpy float64', d + '/z_f8.npy', nanAsMissing=True, taskIds=tasks, exampleIds=examples)
np.save(d + '/z_f4.npy', dense.astype(np.float32)); add('numpy float32', d + '/z_f4.npy', nanAsMissing=True, taskIds=tasks, exampleIds=examples, float32=True)
np.save(d + '/z_be.npy', dense.astype('>f8')); add('numpy big-endian float64', d + '/z_be.npy', nanAsMissing=True, taskIds=tasks, exampleIds=examples)
np.save(d + '/z_fortran.npy', np.asfortranarray(dense)); add('numpy Fortran order', d + '/z_fortran.npy', nanAsMissing=True, taskIds=tasks, exampleIds=examples)
np.save(d + '/z_be_fortran_f4.npy', np.asfortranarray(dense.astype('>f4'))); add('numpy big-endian Fortran float32', d + '/z_be_fortran_f4.npy', nanAsMissing=True, taskIds=tasks, exampleIds=examples, float32=True)
print(json.dumps({'tasks': tasks, 'examples': examples, 'z': [[None if missing[i, j] else float(z[i, j]) for j in range(N)] for i in range(M)], 'files': files}))
`;

describe('pyarrow / pandas / numpy → forgetscope', () => {
  test('every file Python writes reads as the same matrix', async () => {
    if (!available) return;
    const ref = JSON.parse(runPython(WRITE, [dir])) as Reference;
    for (const [name, { path, options = {} }] of Object.entries(ref.files)) {
      const { float32, tolerance, ...readOptions } = options as { float32?: boolean; tolerance?: number };
      const { matrix, report } = await readForgettingMatrix(path, readOptions);
      const where = `${name} (${path})`;
      expect({ where, tasks: [...matrix.taskIds] }).toEqual({ where, tasks: ref.tasks });
      expect({ where, examples: [...matrix.exampleIds] }).toEqual({ where, examples: ref.examples });
      let observed = 0;
      for (let i = 0; i < ref.tasks.length; i++) {
        for (let j = 0; j < ref.examples.length; j++) {
          const want = ref.z[i]![j]!;
          if (want === null) {
            if (matrix.isObserved(i, j)) throw new Error(`${where}: (${i}, ${j}) should be missing`);
            continue;
          }
          observed++;
          const got = matrix.get(i, j);
          const expected = float32 ? Math.fround(want) : want;
          const tol = tolerance ?? 0;
          if (!(Math.abs(got - expected) <= tol))
            throw new Error(`${where}: (${i}, ${j}) is ${got}, expected ${expected}`);
        }
      }
      expect({ where, kept: report.kept }).toEqual({ where, kept: observed });
    }
  });
});

describe('forgetscope → pyarrow / pandas / numpy', () => {
  test('matrices written as CSV, Parquet, Arrow and npy read back in Python identically', async () => {
    if (!available) return;
    const m = new ForgettingMatrix({
      values: Float64Array.from([0.1, -2.5, 1 / 3, NaN, 1e-12, 7, 0.25, -0]),
      observed: Uint8Array.from([1, 1, 1, 0, 1, 1, 1, 1]),
      taskIds: ['a,1', 'b"2'],
      exampleIds: ['x', 'y z', 'ü', '4'],
    });
    for (const ext of ['csv', 'parquet', 'arrow', 'npy']) await writeMatrix(join(dir, `out.${ext}`), m);
    const out = runPython(
      `
import sys, json, numpy as np, pandas as pd, pyarrow.parquet as pq, pyarrow.feather as feather
d = sys.argv[1]
res = {}
frames = {'csv': pd.read_csv(d + '/out.csv', dtype={'task': str, 'example': str}, keep_default_na=False, na_values=[''], float_precision='round_trip'),
          'parquet': pq.read_table(d + '/out.parquet').to_pandas(), 'arrow': feather.read_table(d + '/out.arrow').to_pandas()}
for k, df in frames.items():
    p = df.pivot(index='task', columns='example', values='delta')
    p = p.loc[['a,1', 'b"2'], ['x', 'y z', 'ü', '4']]
    res[k] = [[None if np.isnan(v) else float(v) for v in row] for row in p.to_numpy()]
z = np.load(d + '/out.npy')
res['npy'] = [[None if np.isnan(v) else float(v) for v in row] for row in z]
res['npy_ids'] = [open(d + '/out.tasks.txt').read().split('\\n')[:-1], open(d + '/out.examples.txt').read().split('\\n')[:-1]]
print(json.dumps(res))
`,
      [dir],
    );
    const res = JSON.parse(out) as Record<string, unknown>;
    const want = [
      [0.1, -2.5, 1 / 3, null],
      [1e-12, 7, 0.25, -0],
    ];
    for (const k of ['csv', 'parquet', 'arrow', 'npy']) expect({ k, z: res[k] }).toEqual({ k, z: want });
    expect(res['npy_ids']).toEqual([
      ['a,1', 'b"2'],
      ['x', 'y z', 'ü', '4'],
    ]);
  });
});
